import { isAscii } from 'node:buffer';

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
      const value = this.value();
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
    const flushRun = () => {
      if (runEnd > runStart) out = out.concat(JSON.parse(`[${buf.toString('utf8', runStart, runEnd)}]`) as unknown[]);
    };
    for (;;) {
      const end = this.valueEnd(this.pos);
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

  /** The end of the value at `start` when it is shorter than a piece, else -1 (only containers can be). */
  private valueEnd(start: number): number {
    const { buf } = this;
    const first = buf[start];
    if (first === OPEN_OBJECT || first === OPEN_ARRAY) return this.containerEndWithin(start, start + this.flatLimit);
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
   */
  private containerEndWithin(start: number, stop: number): number {
    const { buf } = this;
    const limit = Math.min(stop, buf.length);
    let depth = 0;
    let at = start;
    while (at < limit) {
      const byte = buf[at]!;
      if (byte === QUOTE) {
        at = this.stringEnd(at);
        continue;
      }
      if (byte === OPEN_OBJECT || byte === OPEN_ARRAY) depth++;
      else if (byte === CLOSE_OBJECT || byte === CLOSE_ARRAY) {
        depth--;
        if (depth === 0) return at + 1;
      }
      at++;
    }
    return -1;
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
