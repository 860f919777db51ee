import type { SortDirection, TraceSortField } from '../db/repositories/trace-list';
import { badInput } from '../errors';
import { unstorableTextReason } from './storable-text';
import { isStorableDate } from './storable-date';

// Page cursors of every connection, encoded and decoded here and nowhere else. A cursor is
// base64url(JSON [kind, ...parts]), opaque to clients. It comes back from the client, so it is
// input like any other: decoding checks each part against the column it will be compared with
// (a timestamp the database can hold, an int8 that fits, text without NUL), so a forged or
// mangled cursor is BAD_USER_INPUT and never reaches SQL as something the database chokes on.
// The schema's argument guard (schema/argument-guard.ts) decodes every `after` argument with
// the codec its connection names, before any resolver runs.

export type CursorPart = 'timestamp' | 'text' | 'int8';
type PartValue<P extends CursorPart> = P extends 'timestamp' ? Date : string;
type PartValues<Parts extends readonly CursorPart[]> = { [I in keyof Parts]: PartValue<Parts[I]> };

export interface PageCursor<Parts extends readonly CursorPart[]> {
  kind: string;
  encode(...values: PartValues<Parts>): string;
  /** The parts, or BAD_USER_INPUT naming the `after` argument. */
  decode(cursor: string): PartValues<Parts>;
}

const MAX_CURSOR_LENGTH = 2048;
const MAX_TEXT_PART = 1024;
const INT8_MAX = 9223372036854775807n;

const invalid = () => badInput('The cursor is not valid: pass an endCursor or edge cursor from a previous page.', { field: 'after' });

function decodePart(part: CursorPart, value: unknown): Date | string {
  if (typeof value !== 'string') throw invalid();
  switch (part) {
    case 'timestamp': {
      const date = new Date(value);
      if (!/^\d{4}-\d{2}-\d{2}T/.test(value) || !isStorableDate(date)) throw invalid();
      return date;
    }
    case 'int8':
      if (!/^\d{1,19}$/.test(value) || BigInt(value) > INT8_MAX) throw invalid();
      return value;
    case 'text':
      if (value.length > MAX_TEXT_PART || unstorableTextReason(value)) throw invalid();
      return value;
  }
}

export function definePageCursor<const Parts extends readonly CursorPart[]>(kind: string, parts: Parts): PageCursor<Parts> {
  return {
    kind,
    encode: (...values) => {
      const encoded = (values as (Date | string)[]).map((v) => (v instanceof Date ? v.toISOString() : v));
      return Buffer.from(JSON.stringify([kind, ...encoded])).toString('base64url');
    },
    decode: (cursor) => {
      if (cursor.length > MAX_CURSOR_LENGTH || !/^[A-Za-z0-9_-]*$/.test(cursor)) throw invalid();
      let decoded: unknown;
      try {
        decoded = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
      } catch {
        throw invalid();
      }
      if (!Array.isArray(decoded) || decoded.length !== parts.length + 1 || decoded[0] !== kind) throw invalid();
      return parts.map((part, i) => decodePart(part, decoded[i + 1])) as PartValues<Parts>;
    },
  };
}

/** Project.auditLog: newest first, keyset on the entry id. */
export const auditCursor = definePageCursor('audit', ['int8']);

// Project.traces: one cursor per sort. base64url JSON [field, direction, key text or null, id];
// the first wave's [ISO start time, id] still reads as a newest-first cursor. Which sort a cursor
// belongs to is checked against the query by the trace list (trace-list.ts); here only its shape
// and each part against the column it will be compared with.
export interface TraceListPosition {
  field: TraceSortField;
  direction: SortDirection;
  /** The sort key as text; null for the tail of rows without one (unpriced, still running). */
  key: string | null;
  id: string;
}
const TRACE_SORT_FIELDS: readonly TraceSortField[] = ['START_TIME', 'DURATION', 'COST', 'TOKENS'];

function validSortKey(field: TraceSortField, key: string): boolean {
  switch (field) {
    case 'START_TIME':
      return /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?Z$/.test(key) && isStorableDate(new Date(key));
    case 'TOKENS':
      return /^-?\d{1,19}$/.test(key) && BigInt(key) <= INT8_MAX && BigInt(key) >= -INT8_MAX;
    case 'DURATION':
      return /^-?\d{1,15}(\.\d{1,12})?$/.test(key);
    case 'COST':
      return key.length <= 40 && /^-?[\d.e+-]+$/i.test(key) && Number.isFinite(Number(key));
  }
}

export const traceListCursor = {
  kind: 'trace',
  encode(position: TraceListPosition): string {
    return Buffer.from(JSON.stringify([position.field, position.direction, position.key, position.id])).toString('base64url');
  },
  decode(cursor: string): TraceListPosition {
    if (cursor.length > MAX_CURSOR_LENGTH || !/^[A-Za-z0-9_-]*$/.test(cursor)) throw invalid();
    let parsed: unknown;
    try {
      parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    } catch {
      throw invalid();
    }
    if (!Array.isArray(parsed)) throw invalid();
    if (parsed.length === 2) {
      const [startTime, id] = parsed as unknown[];
      return { field: 'START_TIME', direction: 'DESC', key: (decodePart('timestamp', startTime) as Date).toISOString(), id: decodePart('text', id) as string };
    }
    const [field, direction, key, id] = parsed as unknown[];
    if (parsed.length !== 4 || !TRACE_SORT_FIELDS.includes(field as TraceSortField) || (direction !== 'ASC' && direction !== 'DESC')) throw invalid();
    const sortField = field as TraceSortField;
    if (key !== null && (typeof key !== 'string' || !validSortKey(sortField, key))) throw invalid();
    // Start times and token totals are never null, so no cursor points into a null tail of theirs.
    if (key === null && (sortField === 'START_TIME' || sortField === 'TOKENS')) throw invalid();
    return { field: sortField, direction, key, id: decodePart('text', id) as string };
  },
};

/** The codec of each connection whose `after` the schema's argument guard checks. */
export const PAGE_CURSORS: Record<'trace' | 'audit', { kind: string; decode(cursor: string): unknown }> = { trace: traceListCursor, audit: auditCursor };
export type PageCursorKind = keyof typeof PAGE_CURSORS;
