import { isAscii, isUtf8 } from 'node:buffer';
import { rememberSourceText } from '../services/ingest/content-source-text';

// JSON.parse of a request body without ever building one string of the whole body.
//
// Why: V8 puts every string over 128 KiB in its large-object space, one fresh memory mapping
// each, and on the VMs we run on the page faults and unmapping of that cost far more than the
// parse: turning a 242 KiB ingest body into a string took 1.1 ms, a 120 KiB one 16 µs
// (bench/json-body.ts). A large body is therefore walked at the byte level down to values of at
// most FLAT_LIMIT bytes, and each of those goes through JSON.parse on its own.
//
// The result is what JSON.parse(body.toString('utf8')) gives, or a SyntaxError where that throws.
// Every leaf value is checked by JSON.parse itself; this file checks only the punctuation of the
// containers it opens (`{ "key": value, … }` and `[ value, … ]`). Cuts fall on ASCII punctuation,
// never inside a UTF-8 sequence, so text decodes exactly as in one piece.
//
// Span content, the object or array under an "input" or "output" key, is remembered with the
// bytes it was parsed from (content-source-text.ts): the encode stage seals those bytes instead
// of writing the value out again. Only in a body parsed in pieces, whose walk finds those keys'
// values on its way at little cost.

/** Bytes a piece may have: well under 128 KiB even when every byte becomes a UTF-16 unit. */
export const FLAT_LIMIT = 48 * 1024;
/** Bytes of a string V8 still keeps in its ordinary heap (one-byte strings: one per character). */
const ORDINARY_STRING_BYTES = 126 * 1024;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;
const COMMA = 0x2c;
const COLON = 0x3a;

const CONTENT_KEY_NAMES = ['input', 'output'] as const;

/** Where a content member's value lies in the body: `key` indexes CONTENT_KEY_NAMES. */
interface ContentMember {
  key: number;
  start: number;
  end: number;
}

/** Which content key the string at [start, end) is (its quotes included): 0 "input", 1 "output", else -1. */
function contentKeyAt(buf: Buffer, start: number, end: number): number {
  // Byte by byte: this runs for every key of every span, and a native compare costs more to call.
  const length = end - start;
  if (length === 7 && buf[start + 1] === 0x69 && buf[start + 2] === 0x6e && buf[start + 3] === 0x70 && buf[start + 4] === 0x75 && buf[start + 5] === 0x74) return 0;
  if (length === 8 && buf[start + 1] === 0x6f && buf[start + 2] === 0x75 && buf[start + 3] === 0x74 && buf[start + 4] === 0x70 && buf[start + 5] === 0x75 && buf[start + 6] === 0x74) return 1;
  return -1;
}

/** Whether buf[start, end) holds a backslash: a key is short, so a loop is cheaper than a view. */
function hasBackslash(buf: Buffer, start: number, end: number): boolean {
  for (let at = start; at < end; at++) if (buf[at] === BACKSLASH) return true;
  return false;
}

const UNICODE_ESCAPE = Buffer.from('\\u');

/**
 * Remembers `value`'s source text when it is content: an object or array whose bytes are valid
 * UTF-8 and hold no \u escape.
 */
function rememberContent(buf: Buffer, value: unknown, start: number, end: number): void {
  if (typeof value !== 'object' || value === null) return;
  const bytes = buf.subarray(start, end);
  // Invalid UTF-8 decodes to U+FFFD in the parsed value: only the value says what is stored then.
  // An escaped character (a client that writes ASCII only, as Python's json.dumps does by default)
  // takes 6 or 12 bytes where JSON.stringify writes 1 to 4: that text would cost its room at rest.
  if (isUtf8(bytes) && bytes.indexOf(UNICODE_ESCAPE) === -1) rememberSourceText(value, bytes);
}

export interface PieceSizes {
  /** The most bytes one JSON.parse call is given when the body is cut. */
  pieceBytes?: number;
  /** A body whose string would take at most this many bytes is parsed whole. */
  wholeStringBytes?: number;
}

export function parseJsonBody(body: Buffer, { pieceBytes = FLAT_LIMIT, wholeStringBytes = ORDINARY_STRING_BYTES }: PieceSizes = {}): unknown {
  // An ASCII body is a one-byte string, any other one at most two bytes per body byte.
  const stringBytes = isAscii(body) ? body.length : body.length * 2;
  if (stringBytes <= wholeStringBytes) return JSON.parse(body.toString('utf8'));
  return new PieceParser(body, pieceBytes).document();
}

function isSpace(byte: number | undefined): boolean {
  return byte === 0x20 || byte === 0x0a || byte === 0x0d || byte === 0x09;
}

class PieceParser {
  private pos = 0;

  constructor(
    private readonly buf: Buffer,
    private readonly flatLimit: number,
  ) {}

  document(): unknown {
    this.skipSpace();
    const value = this.value();
    this.skipSpace();
    if (this.pos !== this.buf.length) throw this.unexpected();
    return value;
  }

  private value(): unknown {
    const { buf } = this;
    const start = this.pos;
    const first = buf[start];
    let end: number;
    if (first === OPEN_OBJECT || first === OPEN_ARRAY) {
      end = this.containerEndWithin(start, start + this.flatLimit);
      // Too large for one piece: open it and take its members one by one.
      if (end === -1) return first === OPEN_OBJECT ? this.object() : this.array();
    } else {
      end = first === QUOTE ? this.stringEnd(start) : this.literalEnd(start);
    }
    this.pos = end;
    return JSON.parse(buf.toString('utf8', start, end));
  }

  private object(): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    this.pos++;
    this.skipSpace();
    if (this.buf[this.pos] === CLOSE_OBJECT) {
      this.pos++;
      return out;
    }
    for (;;) {
      if (this.buf[this.pos] !== QUOTE) throw this.unexpected();
      const keyStart = this.pos;
      this.pos = this.stringEnd(keyStart);
      const key = JSON.parse(this.buf.toString('utf8', keyStart, this.pos)) as string;
      this.skipSpace();
      this.expect(COLON);
      this.skipSpace();
      const valueStart = this.pos;
      const value = this.value();
      if (key === 'input' || key === 'output') rememberContent(this.buf, value, valueStart, this.pos);
      // JSON.parse makes "__proto__" an own key; an assignment would set the prototype instead.
      if (key === '__proto__') Object.defineProperty(out, key, { value, writable: true, enumerable: true, configurable: true });
      else out[key] = value;
      this.skipSpace();
      if (this.buf[this.pos] === COMMA) {
        this.pos++;
        this.skipSpace();
        continue;
      }
      this.expect(CLOSE_OBJECT);
      return out;
    }
  }

  /**
   * Elements are gathered into runs of at most flatLimit bytes, each parsed by one JSON.parse
   * (`[` run `]`): one call per element would cost more than the one big string saves.
   */
  private array(): unknown[] {
    const { buf } = this;
    let out: unknown[] = [];
    this.pos++;
    this.skipSpace();
    if (buf[this.pos] === CLOSE_ARRAY) {
      this.pos++;
      return out;
    }
    let runStart = this.pos;
    let runEnd = this.pos;
    // Each element of the run: the content members the walk found in it.
    let runMembers: ContentMember[][] = [];
    const flushRun = () => {
      if (runEnd > runStart) {
        const elements = JSON.parse(`[${buf.toString('utf8', runStart, runEnd)}]`) as unknown[];
        for (let i = 0; i < runMembers.length; i++) {
          const members = runMembers[i]!;
          for (let m = 0; m < members.length; m++) {
            const member = members[m]!;
            // A key given twice: JSON.parse kept the last value, whose text is the last member's.
            if (members.some((later, l) => l > m && later.key === member.key)) continue;
            rememberContent(buf, (elements[i] as Record<string, unknown>)[CONTENT_KEY_NAMES[member.key]!], member.start, member.end);
          }
        }
        out = out.concat(elements);
      }
      runMembers = [];
    };
    for (;;) {
      const members: ContentMember[] = [];
      const end = this.valueEnd(this.pos, members);
      if (end === -1) {
        // One element larger than a piece: parsed on its own.
        flushRun();
        out.push(this.value());
        runStart = this.pos;
        runEnd = this.pos;
      } else {
        if (end - runStart > this.flatLimit) {
          flushRun();
          runStart = this.pos;
        }
        runMembers.push(members);
        this.pos = end;
        runEnd = end;
      }
      this.skipSpace();
      if (buf[this.pos] === COMMA) {
        this.pos++;
        this.skipSpace();
        if (runEnd === runStart) runStart = this.pos;
        continue;
      }
      this.expect(CLOSE_ARRAY);
      flushRun();
      return out;
    }
  }

  /**
   * The end of the value at `start` when it is shorter than a piece, else -1 (only containers can
   * be). An object's content members go to `members`.
   */
  private valueEnd(start: number, members?: ContentMember[]): number {
    const { buf } = this;
    const first = buf[start];
    if (first === OPEN_OBJECT || first === OPEN_ARRAY) return this.containerEndWithin(start, start + this.flatLimit, members);
    if (first === QUOTE) {
      const end = this.stringEnd(start);
      return end - start > this.flatLimit ? -1 : end;
    }
    return this.literalEnd(start);
  }

  /** The end of a number or literal: the next punctuation or space; JSON.parse judges what is between. */
  private literalEnd(start: number): number {
    const { buf } = this;
    let end = start;
    while (end < buf.length) {
      const byte = buf[end]!;
      if (byte === COMMA || byte === CLOSE_OBJECT || byte === CLOSE_ARRAY || isSpace(byte)) break;
      end++;
    }
    if (end === start) throw this.unexpected();
    return end;
  }

  /**
   * The end (exclusive) of the object or array at `start` when it closes before `stop`, else -1.
   * Brackets are only counted, not matched: a mismatch is JSON.parse's to find in the piece.
   *
   * With `members`, an object's own members keyed "input" or "output" are added to it, each with
   * its value's bytes (a later one with the same key too; JSON.parse keeps the last). A piece that
   * JSON.parse then refuses is never remembered. A key spelled with an escape is not read here, and
   * could be "input" in disguise, after the one found: then nothing of the object is added.
   */
  private containerEndWithin(start: number, stop: number, members?: ContentMember[]): number {
    const { buf } = this;
    const limit = Math.min(stop, buf.length);
    const watch = members !== undefined && buf[start] === OPEN_OBJECT;
    let depth = 0;
    let at = start;
    // At depth 1 of an object: whether the next string is a key, which content key the current
    // member has (-1: none), and where its value starts.
    let keyNext = true;
    let member = -1;
    let valueStart = -1;
    const found = members?.length ?? 0;
    let escapedKey = false;
    while (at < limit) {
      const byte = buf[at]!;
      if (byte === QUOTE) {
        const end = this.stringEnd(at);
        if (watch && depth === 1 && keyNext) {
          member = contentKeyAt(buf, at, end);
          if (member < 0 && !escapedKey) escapedKey = hasBackslash(buf, at + 1, end - 1);
          keyNext = false;
        }
        at = end;
        continue;
      }
      if (byte === OPEN_OBJECT || byte === OPEN_ARRAY) depth++;
      else if (byte === CLOSE_OBJECT || byte === CLOSE_ARRAY) {
        depth--;
        if (depth === 0) {
          if (member >= 0 && valueStart >= 0) this.addMember(members!, member, valueStart, at);
          if (escapedKey) members!.length = found;
          return at + 1;
        }
      } else if (watch && depth === 1) {
        if (byte === COLON && valueStart < 0) valueStart = at + 1;
        else if (byte === COMMA) {
          if (member >= 0 && valueStart >= 0) this.addMember(members!, member, valueStart, at);
          keyNext = true;
          member = -1;
          valueStart = -1;
        }
      }
      at++;
    }
    return -1;
  }

  /** A content member whose value lies in [start, end), without the JSON white space around it. */
  private addMember(members: ContentMember[], key: number, start: number, end: number): void {
    while (start < end && isSpace(this.buf[start])) start++;
    while (end > start && isSpace(this.buf[end - 1])) end--;
    members.push({ key, start, end });
  }

  /** The end (exclusive) of the string whose opening quote is at `start`. */
  private stringEnd(start: number): number {
    const { buf } = this;
    let at = start + 1;
    for (;;) {
      const quote = buf.indexOf(QUOTE, at);
      if (quote === -1) throw new SyntaxError('Unterminated string in JSON');
      // Escaped when an odd number of backslashes comes right before it.
      let backslashes = 0;
      for (let k = quote - 1; k > start && buf[k] === BACKSLASH; k--) backslashes++;
      if (backslashes % 2 === 0) return quote + 1;
      at = quote + 1;
    }
  }

  private skipSpace(): void {
    while (isSpace(this.buf[this.pos])) this.pos++;
  }

  private expect(byte: number): void {
    if (this.buf[this.pos] !== byte) throw this.unexpected();
    this.pos++;
  }

  private unexpected(): SyntaxError {
    return this.pos < this.buf.length
      ? new SyntaxError(`Unexpected token in JSON at position ${this.pos}`)
      : new SyntaxError('Unexpected end of JSON input');
  }
}
