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

/** Project.traces: newest first, keyset on (start_time, id). */
export const traceCursor = definePageCursor('trace', ['timestamp', 'text']);
/** Project.auditLog: newest first, keyset on the entry id. */
export const auditCursor = definePageCursor('audit', ['int8']);

export const PAGE_CURSORS = { trace: traceCursor, audit: auditCursor } as const;
export type PageCursorKind = keyof typeof PAGE_CURSORS;
