import { isRedactionResult } from '../core/check-plugin';
import type { RedactContext, Redactor } from '../core/plugin';

// Redaction of a JSON value (span input/output/metadata) with any list of redactors.
//
// - Strings are redacted at any depth, in objects and arrays; object KEYS are left alone (they
//   are schema, not content — a caller that puts PII in keys must restructure its data).
// - Numbers stay numbers, with one exception: an integer of card length (13–19 digits) is handed
//   to the redactors as its decimal string, and when a rule changes that string the number is
//   replaced by the redacted string (e.g. `{"pan": 4111111111111111}` →
//   `{"pan": "[REDACTED:card]"}`). The type change is deliberate: hiding the card matters more
//   than keeping the field numeric, and `[REDACTED:card]` cannot be a number. Only integers that
//   are exactly representable qualify (`Number.isSafeInteger`, so up to 16 digits; BigInt of any
//   length) — a 17–19 digit number has already lost its last digits in `JSON.parse`, so no Luhn
//   check can be done on it. Token counts, prices, timestamps (10/13 digits, the card rule wants
//   a 2–6 first digit) are untouched.
// - Booleans and null are kept. Other values follow `JSON.stringify`: `toJSON()` is honoured
//   (a `Date` becomes its ISO string, which is then redacted like any string), other objects are
//   walked through their own enumerable string keys.
// - The input is never mutated; the result is a fresh structure (strings and primitives shared).
// - Fail closed: a redactor that throws, or returns something that is not a
//   `{ text: string, hits: non-negative integer }`, makes the whole call throw, as does a cycle
//   or the budget's deadline. Callers then reject the span rather than store it unredacted.

export interface RedactionBudget {
  /** Absolute deadline, in ms since the epoch (`Date.now()` scale). */
  deadline: number;
  /** Clock, `Date.now` by default (injectable for tests). */
  now?: () => number;
}

export class RedactionTimeoutError extends Error {
  override readonly name = 'RedactionTimeoutError';
  constructor(
    readonly deadline: number,
    readonly at: number,
  ) {
    super(`Redaction did not finish before its deadline (${at - deadline} ms late)`);
  }
}

export interface RedactValueResult {
  value: unknown;
  /** Replacements per rule name; rules without a hit are absent. Never the matched text. */
  hits: Record<string, number>;
}

/** Smallest/largest integer with 13 / 19 digits. */
const CARD_MIN = 1e12;
const CARD_MIN_BIG = 10n ** 12n;
const CARD_MAX_BIG = 10n ** 19n - 1n;

class Walker {
  private readonly hits = new Map<string, number>();
  private readonly ancestors = new Set<object>();
  private readonly now: () => number;

  constructor(
    private readonly redactors: readonly Redactor[],
    private readonly ctx: RedactContext,
    private readonly budget: RedactionBudget | undefined,
  ) {
    this.now = budget?.now ?? Date.now;
  }

  hitsRecord(): Record<string, number> {
    return Object.fromEntries(this.hits);
  }

  private checkDeadline(): void {
    if (!this.budget) return;
    const at = this.now();
    if (at > this.budget.deadline) throw new RedactionTimeoutError(this.budget.deadline, at);
  }

  /**
   * Applies every redactor in order. The deadline is checked before each redactor and each
   * object/array: one regex pass cannot be interrupted, so the budget bounds the work between
   * checks, not inside one (the built-in rules are linear; custom ones are vetted for that).
   */
  text(input: string): string {
    let text = input;
    for (const redactor of this.redactors) {
      this.checkDeadline();
      const result = redactor.redact(text, this.ctx);
      if (!isRedactionResult(result)) {
        throw new TypeError(`Redactor "${redactor.name}" returned an invalid result`);
      }
      if (result.hits > 0) this.hits.set(redactor.name, (this.hits.get(redactor.name) ?? 0) + result.hits);
      text = result.text;
    }
    return text;
  }

  /** `fromToJSON`: the value came out of a `toJSON()` call, which is not called again on it. */
  value(value: unknown, fromToJSON = false): unknown {
    switch (typeof value) {
      case 'string':
        return this.text(value);
      case 'number':
        if (Number.isSafeInteger(value) && value >= CARD_MIN) return this.cardLength(value, String(value));
        return value;
      case 'bigint':
        if (value >= CARD_MIN_BIG && value <= CARD_MAX_BIG) return this.cardLength(value, value.toString());
        return value;
      case 'object':
        return value === null ? null : this.object(value, fromToJSON);
      default:
        // boolean, undefined, function, symbol: nothing to redact.
        return value;
    }
  }

  private cardLength(value: number | bigint, digits: string): unknown {
    const redacted = this.text(digits);
    return redacted === digits ? value : redacted;
  }

  private object(input: object, fromToJSON: boolean): unknown {
    this.checkDeadline();
    if (!fromToJSON) {
      const toJSON = (input as { toJSON?: unknown }).toJSON;
      if (typeof toJSON === 'function') return this.value(toJSON.call(input), true);
    }
    if (this.ancestors.has(input)) throw new TypeError('Cannot redact a cyclic structure');
    this.ancestors.add(input);
    try {
      if (Array.isArray(input)) {
        const out = new Array<unknown>(input.length);
        for (let i = 0; i < input.length; i++) out[i] = this.value(input[i]);
        return out;
      }
      // fromEntries defines own properties, so a `__proto__` key (JSON.parse makes one) stays
      // data instead of becoming the result's prototype.
      return Object.fromEntries(
        Object.keys(input).map((key) => [key, this.value((input as Record<string, unknown>)[key])]),
      );
    } finally {
      this.ancestors.delete(input);
    }
  }
}

/** Redacts every string in a JSON value (see the notes at the top of this file). */
export function redactValue(
  value: unknown,
  redactors: readonly Redactor[],
  ctx: RedactContext,
  budget?: RedactionBudget,
): RedactValueResult {
  const walker = new Walker(redactors, ctx, budget);
  const out = walker.value(value);
  return { value: out, hits: walker.hitsRecord() };
}

/** Redacts one string with a list of redactors, in order. Same contract as `redactValue`. */
export function redactText(
  text: string,
  redactors: readonly Redactor[],
  ctx: RedactContext,
  budget?: RedactionBudget,
): { text: string; hits: Record<string, number> } {
  const walker = new Walker(redactors, ctx, budget);
  const out = walker.text(text);
  return { text: out, hits: walker.hitsRecord() };
}
