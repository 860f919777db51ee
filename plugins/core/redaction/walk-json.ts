import { isRedactionResult } from './result-check.js';
import type { RedactContext, Redactor } from './types.js';

// The JSON walk of the one redaction engine: the server's ingest, the plugin testkit and the SDK
// all run it, so a value comes out the same wherever it is redacted.
//
// - Strings are redacted at any depth, in objects and arrays; object KEYS are left alone (they
//   are schema, not content — a caller that puts PII in keys must restructure its data).
// - The result is a JSON-safe copy, as `JSON.stringify` would write it: `toJSON()` is honoured
//   once (a `Date` becomes its ISO string, then redacted like any string); functions, symbols and
//   `undefined` are dropped from objects and become null in arrays; NaN and ±Infinity become
//   null. The input is never mutated; a `__proto__` key stays data.
// - Numbers stay numbers, with one exception: a safe integer of 12 or more digits (a card number
//   is 12–19) is handed to the rules as its decimal string, and when a rule changes it the number
//   is replaced by the redacted string (`{"pan": 4111111111111111}` → `{"pan": "[REDACTED:card]"}`).
//   Hiding the card matters more than keeping the field numeric. Token counts, prices and
//   10-digit timestamps are never looked at.
// - A bigint becomes its decimal string (JSON has no bigint; `JSON.stringify` would throw) and is
//   redacted like any string.
// - Fail closed: a redactor that throws or returns something that is not a result, a cycle,
//   nesting deeper than MAX_DEPTH, or the budget's deadline makes the whole call throw. Callers
//   then reject the span (server) or leave its content out (SDK) rather than keep it unredacted.
// - `keepUnchanged` (the server's ingest): a plain object or array that the copy would only repeat
//   — no string or number in it changed, nothing dropped, no toJSON — comes back as the very same
//   object instead of a copy. Only for plain JSON data that nobody mutates afterwards (what
//   JSON.parse makes): an own getter could answer differently when read again. What it buys: the
//   body parser's text of untouched content stays attached to it (server/services/ingest/
//   content-source-text.ts), so with PII rules on, a span without PII is sealed from the bytes
//   it was sent as, and the walk allocates nothing for it. Any change still makes a new object on
//   the whole path from the field's root to it, so an object that comes back is exactly as sent.

/** Objects and arrays nested deeper than this are refused: no stack overflow, no hidden payload. */
export const MAX_DEPTH = 64;
/** Smallest integer with 12 digits: below it no card number fits. */
const CARD_MIN = 1e11;

/** A redactor that failed: `reason` says how; the caller names the rule, never the content. */
export class RedactorError extends Error {
  override readonly name = 'RedactorError';
  constructor(
    readonly redactor: Redactor,
    readonly reason: 'threw' | 'invalid-result',
    cause?: unknown,
  ) {
    super(reason === 'threw' ? `redactor "${redactor.name}" threw` : `Redactor "${redactor.name}" returned an invalid result`, { cause });
  }
}

/** The per-span time budget ran out; `running` is the redactor whose call was entered last. */
export class RedactionTimeoutError extends Error {
  override readonly name = 'RedactionTimeoutError';
  constructor(
    readonly budgetMs: number,
    readonly running: Redactor | undefined,
  ) {
    super(`Redaction took longer than its ${budgetMs} ms budget`);
  }
}

/** The value cannot be walked: a cycle, or nesting deeper than MAX_DEPTH. */
export class ContentShapeError extends Error {
  override readonly name = 'ContentShapeError';
}

export interface WalkOptions {
  /** Return a plain object or array that no rule changed as itself (see above). @default false */
  keepUnchanged?: boolean;
}

export interface WalkBudget {
  /** Deadline on the `now()` clock. */
  deadline: number;
  budgetMs: number;
  now: () => number;
}

/**
 * Redacts every string of one JSON value with `redactors`, in order; adds each rule's hits to
 * `hits`. `state.running` is set to the redactor whose call was entered last.
 */
export class JsonWalk {
  readonly hits = new Map<string, number>();
  running: Redactor | undefined;
  /**
   * The objects on the path to the current value (a cycle leads back to one of them). An array,
   * not a Set: the path is at most MAX_DEPTH long and usually 2–4, while a Set first gives every
   * object it meets an identity hash — ~150 ns per freshly parsed object against ~10 for the
   * array, for every object of every span.
   */
  private readonly ancestors: object[] = [];
  private ctx!: RedactContext;

  private readonly keepUnchanged: boolean;

  constructor(
    private readonly redactors: readonly Redactor[],
    private readonly budget: WalkBudget | undefined,
    options: WalkOptions = {},
  ) {
    this.keepUnchanged = options.keepUnchanged === true;
  }

  /** The redacted JSON-safe copy of `value` (undefined stays undefined); with keepUnchanged, `value` itself when the copy would only repeat it. */
  redact(value: unknown, ctx: RedactContext): unknown {
    this.ctx = ctx;
    return this.value(value, 0);
  }

  checkDeadline(): void {
    if (this.budget && this.budget.now() > this.budget.deadline) throw new RedactionTimeoutError(this.budget.budgetMs, this.running);
  }

  /** Every redactor in order, each on the previous one's output; the clock is checked before each. */
  text(input: string): string {
    let text = input;
    for (const redactor of this.redactors) {
      this.checkDeadline();
      this.running = redactor;
      let result: unknown;
      try {
        result = redactor.redact(text, this.ctx);
      } catch (err) {
        throw new RedactorError(redactor, 'threw', err);
      }
      if (!isRedactionResult(result)) throw new RedactorError(redactor, 'invalid-result');
      if (result.hits > 0) this.hits.set(redactor.name, (this.hits.get(redactor.name) ?? 0) + result.hits);
      text = result.text;
    }
    return text;
  }

  private value(value: unknown, depth: number, fromToJSON = false): unknown {
    switch (typeof value) {
      case 'string':
        return this.text(value);
      case 'number':
        if (!Number.isFinite(value)) return null;
        if (Number.isSafeInteger(value) && value >= CARD_MIN) {
          const digits = String(value);
          const redacted = this.text(digits);
          return redacted === digits ? value : redacted;
        }
        return value;
      case 'bigint':
        return this.text(value.toString());
      case 'boolean':
        return value;
      case 'object':
        return value === null ? null : this.object(value, depth, fromToJSON);
      default:
        return undefined; // function, symbol, undefined
    }
  }

  private object(input: object, depth: number, fromToJSON: boolean): unknown {
    this.checkDeadline();
    if (!fromToJSON) {
      const toJSON = (input as { toJSON?: unknown }).toJSON;
      if (typeof toJSON === 'function') return this.value(toJSON.call(input), depth, true);
    }
    if (depth >= MAX_DEPTH) throw new ContentShapeError(`content is nested deeper than ${MAX_DEPTH} levels`);
    if (this.ancestors.includes(input)) throw new ContentShapeError('content has a cycle');
    this.ancestors.push(input);
    try {
      // With keepUnchanged, the copy is only made at the first change (`out` undefined until
      // then): the members before it came back as themselves and are copied as they are.
      if (Array.isArray(input)) {
        const keep = this.keepUnchanged && Object.getPrototypeOf(input) === Array.prototype;
        let out: unknown[] | undefined = keep ? undefined : new Array<unknown>(input.length);
        for (let i = 0; i < input.length; i++) {
          const element: unknown = input[i];
          const item = this.value(element, depth + 1);
          // A hole or an undefined element becomes null in the copy: a change too.
          if (out === undefined && (item !== element || item === undefined)) {
            out = new Array<unknown>(input.length);
            for (let j = 0; j < i; j++) out[j] = input[j];
          }
          if (out !== undefined) out[i] = item === undefined ? null : item;
        }
        return out ?? input;
      }
      const keep = this.keepUnchanged && isPlainObject(input);
      const keys = Object.keys(input);
      let out: Record<string, unknown> | undefined = keep ? undefined : {};
      for (let k = 0; k < keys.length; k++) {
        const key = keys[k]!;
        const member = (input as Record<string, unknown>)[key];
        const item = this.value(member, depth + 1);
        // An undefined member is dropped from the copy: a change too.
        if (out === undefined && (item !== member || item === undefined)) {
          out = {};
          for (let j = 0; j < k; j++) setMember(out, keys[j]!, (input as Record<string, unknown>)[keys[j]!]);
        }
        if (out !== undefined && item !== undefined) setMember(out, key, item);
      }
      return out ?? input;
    } finally {
      this.ancestors.pop();
    }
  }
}

/**
 * A `__proto__` key (JSON.parse makes one) must stay data, not become the prototype; every other
 * key takes the fast path.
 */
function setMember(out: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
  else out[key] = value;
}

function isPlainObject(value: object): boolean {
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}
