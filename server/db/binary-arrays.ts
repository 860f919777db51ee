// One-dimensional Postgres arrays in the binary wire format (array_recv), built from a column of
// JS values. A 100-span upsert bound as ~2,600 scalar parameters cost node-postgres a call of
// prepareValue and a length-prefixed write each (Dates formatted as text, then parsed again by
// Postgres); bound as one array per column it is 26 parameters, written here in one pass each,
// and Postgres reads fixed-width binary values instead of parsing text.
//
// Layout: ndim (1), has-nulls flag, element type oid, then for the one dimension its length and
// lower bound (1); then per element a 4-byte length (-1 for NULL) and the element's bytes.
//
// node-postgres sends a Buffer parameter in binary format, so a statement that casts the
// parameter to the array type (`$1::text[]`) receives it as it is. Postgres checks the element oid
// against the parameter's type: a column must be encoded with the type its cast names.

/** The element types ingest binds, by the name the SQL cast uses. */
export type ArrayElementType = 'text' | 'bytea' | 'jsonb' | 'integer' | 'double precision' | 'timestamp with time zone' | 'boolean';

const ELEMENT_OID: Record<ArrayElementType, number> = {
  text: 25,
  bytea: 17,
  jsonb: 3802,
  integer: 23,
  'double precision': 701,
  'timestamp with time zone': 1184,
  boolean: 16,
};

const FIXED_WIDTH: Partial<Record<ArrayElementType, number>> = {
  integer: 4,
  'double precision': 8,
  'timestamp with time zone': 8,
  boolean: 1,
};

const HEADER_BYTES = 20;
/** Postgres counts timestamps in microseconds from 2000-01-01 UTC. */
const POSTGRES_EPOCH_MS = Date.UTC(2000, 0, 1);
const JSONB_VERSION = 1;

/** A value that the column's type cannot carry: a bug upstream (validation bounds every field), reported, never written. */
export class ArrayEncodingError extends Error {
  override name = 'ArrayEncodingError';
}

function epochMs(value: unknown): number {
  const ms = value instanceof Date ? value.getTime() : typeof value === 'string' ? Date.parse(value) : Number.NaN;
  if (!Number.isFinite(ms)) throw new ArrayEncodingError('a timestamp element is not a valid date');
  return ms;
}

function stringOf(value: unknown, type: ArrayElementType): string {
  if (typeof value !== 'string') throw new ArrayEncodingError(`a ${type} element is a ${typeof value}, not a string`);
  return value;
}

function bytesOf(value: unknown): Uint8Array {
  if (!(value instanceof Uint8Array)) throw new ArrayEncodingError('a bytea element is not a byte array');
  return value;
}

// Most text elements are short ASCII (ids, names, models, statuses): for those, a loop over the
// characters costs less than a call into Buffer's native UTF-8 code (two per element: length,
// then write). Longer or non-ASCII text still goes through Buffer.
const SHORT_TEXT = 64;

/** The UTF-8 length of `text`. */
function utf8Length(text: string): number {
  const length = text.length;
  if (length > SHORT_TEXT) return Buffer.byteLength(text, 'utf8');
  for (let i = 0; i < length; i++) if (text.charCodeAt(i) >= 0x80) return Buffer.byteLength(text, 'utf8');
  return length;
}

/** Writes `text` as UTF-8 at `at`; returns where it ends. */
function writeText(out: Buffer, at: number, text: string): number {
  const length = text.length;
  if (length > SHORT_TEXT) return at + out.write(text, at, 'utf8');
  for (let i = 0; i < length; i++) {
    const code = text.charCodeAt(i);
    if (code >= 0x80) return at + out.write(text, at, 'utf8');
    out[at + i] = code;
  }
  return at + length;
}

/** A 4-byte big-endian element length (-1: NULL), written byte by byte: Buffer's writer checks its arguments on every call. */
function writeLength(out: Buffer, at: number, length: number): void {
  out[at] = length >>> 24;
  out[at + 1] = (length >>> 16) & 0xff;
  out[at + 2] = (length >>> 8) & 0xff;
  out[at + 3] = length & 0xff;
}

/** The bytes of one variable-width element (text, jsonb, bytea), excluding its 4-byte length; the value is non-null. */
function variableBytes(type: ArrayElementType, value: unknown): number {
  if (type === 'bytea') return bytesOf(value).length;
  const length = utf8Length(stringOf(value, type));
  return type === 'jsonb' ? 1 + length : length;
}

function writeElement(out: Buffer, at: number, type: ArrayElementType, value: unknown): number {
  switch (type) {
    case 'text':
      return writeText(out, at, value as string);
    case 'jsonb':
      out[at] = JSONB_VERSION;
      return writeText(out, at + 1, value as string);
    case 'bytea': {
      const bytes = value as Uint8Array;
      out.set(bytes, at);
      return at + bytes.length;
    }
    case 'integer':
      if (!Number.isInteger(value) || (value as number) < -0x80000000 || (value as number) > 0x7fffffff) {
        throw new ArrayEncodingError('an integer element is not a 32-bit integer');
      }
      return out.writeInt32BE(value as number, at);
    case 'double precision':
      if (typeof value !== 'number') throw new ArrayEncodingError(`a double precision element is a ${typeof value}`);
      return out.writeDoubleBE(value, at);
    case 'timestamp with time zone': {
      // Whole milliseconds times 1,000 stay below 2^53: exact as a double, split into two words.
      const micros = (epochMs(value) - POSTGRES_EPOCH_MS) * 1000;
      const high = Math.floor(micros / 0x100000000);
      out.writeInt32BE(high, at);
      return out.writeUInt32BE(micros - high * 0x100000000, at + 4);
    }
    case 'boolean':
      if (typeof value !== 'boolean') throw new ArrayEncodingError(`a boolean element is a ${typeof value}`);
      out[at] = value ? 1 : 0;
      return at + 1;
  }
}

/** `values` (null and undefined are SQL NULL) as a binary `type[]` parameter. */
export function binaryArray(type: ArrayElementType, values: readonly unknown[]): Buffer {
  const count = values.length;
  // Looked up once per array, not per element: a keyed load by a type name costs more than the element.
  const fixed = FIXED_WIDTH[type];
  let size = HEADER_BYTES + 4 * count;
  let hasNulls = false;
  for (let i = 0; i < count; i++) {
    const value = values[i];
    if (value === null || value === undefined) hasNulls = true;
    else size += fixed ?? variableBytes(type, value);
  }
  const out = Buffer.allocUnsafe(size);
  out.writeInt32BE(1, 0);
  out.writeInt32BE(hasNulls ? 1 : 0, 4);
  out.writeUInt32BE(ELEMENT_OID[type], 8);
  out.writeInt32BE(count, 12);
  out.writeInt32BE(1, 16);
  let at = HEADER_BYTES;
  for (let i = 0; i < count; i++) {
    const value = values[i];
    if (value === null || value === undefined) {
      writeLength(out, at, -1);
      at += 4;
      continue;
    }
    const start = at + 4;
    const end = writeElement(out, start, type, value);
    writeLength(out, at, end - start);
    at = end;
  }
  if (at !== size) throw new ArrayEncodingError(`array of ${type} wrote ${at} of ${size} bytes`);
  return out;
}
