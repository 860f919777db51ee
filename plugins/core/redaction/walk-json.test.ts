import { describe, expect, it } from 'vitest';
import { compileCustomPattern } from '../../redaction/custom-pattern';
import { piiRedactors } from '../../redaction/pii-rules';
import type { RedactContext, Redactor } from './types';
import { ContentShapeError, JsonWalk, MAX_DEPTH, RedactionTimeoutError, RedactorError } from './walk-json';

/** One value through the walk, with its hits per rule. */
function redactValue(value: unknown, redactors: readonly Redactor[], ctx: RedactContext, budget?: { deadline: number; now?: () => number }) {
  const walk = new JsonWalk(redactors, budget && { deadline: budget.deadline, budgetMs: 0, now: budget.now ?? Date.now });
  const out = walk.redact(value, ctx);
  return { value: out, hits: Object.fromEntries(walk.hits) };
}
const redactText = (text: string, redactors: readonly Redactor[], ctx: RedactContext) => {
  const { value, hits } = redactValue(text, redactors, ctx);
  return { text: value, hits };
};

const ctx: RedactContext = { projectId: 'p1', spanId: 's1', field: 'output', piiRedaction: true };

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}

describe('redactValue', () => {
  it('redacts strings in objects and arrays, keeps keys, numbers, booleans and null', () => {
    const input = {
      model: 'gpt-x',
      temperature: 0.2,
      stream: false,
      stop: null,
      promptTokens: 1234,
      messages: [
        { role: 'user', content: 'I am ann@example.com, call +44 20 7946 0958' },
        { role: 'assistant', content: ['Noted.', 'Card 4111 1111 1111 1111 saved.'] },
      ],
      'ann@example.com': 'the key is left alone',
    };
    expect(redactValue(input, piiRedactors, ctx)).toEqual({
      value: {
        model: 'gpt-x',
        temperature: 0.2,
        stream: false,
        stop: null,
        promptTokens: 1234,
        messages: [
          { role: 'user', content: 'I am [REDACTED:email], call [REDACTED:phone]' },
          { role: 'assistant', content: ['Noted.', 'Card [REDACTED:card] saved.'] },
        ],
        'ann@example.com': 'the key is left alone',
      },
      hits: { email: 1, phone: 1, card: 1 },
    });
  });

  it('walks up to MAX_DEPTH levels, adding up hits across strings, and refuses deeper content', () => {
    let input: unknown = 'bottom: bob@example.org';
    for (let depth = 0; depth < MAX_DEPTH; depth++) input = depth % 2 ? { level: depth, next: input } : [input, 'x@example.com'];
    const { value, hits } = redactValue(input, piiRedactors, ctx);
    expect(hits).toEqual({ email: MAX_DEPTH / 2 + 1 });
    expect(() => redactValue([input], piiRedactors, ctx)).toThrow(ContentShapeError);
    let cursor = value;
    for (let depth = MAX_DEPTH - 1; depth >= 0; depth--) {
      if (depth % 2) {
        expect((cursor as { level: number }).level).toBe(depth);
        cursor = (cursor as { next: unknown }).next;
      } else {
        expect((cursor as unknown[])[1]).toBe('[REDACTED:email]');
        cursor = (cursor as unknown[])[0];
      }
    }
    expect(cursor).toBe('bottom: [REDACTED:email]');
  });

  it('redacts a plain string and passes primitives through', () => {
    expect(redactValue('mail ann@example.com', piiRedactors, ctx)).toEqual({ value: 'mail [REDACTED:email]', hits: { email: 1 } });
    for (const v of [42, 0.5, true, false, null, undefined]) expect(redactValue(v, piiRedactors, ctx)).toEqual({ value: v, hits: {} });
  });

  it('does not mutate the input (deep-frozen) and returns a fresh structure', () => {
    const input = deepFreeze({ a: { b: ['ann@example.com', { c: 'call 020 7946 0958' }] }, d: 'clean' });
    const before = structuredClone(input);
    const { value } = redactValue(input, piiRedactors, ctx);
    expect(input).toEqual(before);
    expect(value).not.toBe(input);
    expect((value as typeof input).a).not.toBe(input.a);
    expect((value as typeof input).a.b).not.toBe(input.a.b);
    expect(value).toEqual({ a: { b: ['[REDACTED:email]', { c: 'call [REDACTED:phone]' }] }, d: 'clean' });
  });

  it('returns an equal copy and no hits when nothing matches', () => {
    const input = { a: ['2026-11-29', 1732800000, { v: 'v10.0.19045' }] };
    expect(redactValue(input, piiRedactors, ctx)).toEqual({ value: input, hits: {} });
    expect(redactValue(input, [], ctx)).toEqual({ value: input, hits: {} });
  });

  describe('numbers', () => {
    it('replaces a card-length integer that a rule redacts with the redacted string', () => {
      expect(redactValue({ pan: 4111111111111111, amex: 378282246310005 }, piiRedactors, ctx)).toEqual({
        value: { pan: '[REDACTED:card]', amex: '[REDACTED:card]' },
        hits: { card: 2 },
      });
      expect(redactValue([5555555555554444n, 6221260000000000001n], piiRedactors, ctx)).toEqual({
        value: ['[REDACTED:card]', '[REDACTED:card]'],
        hits: { card: 2 },
      });
    });

    it('leaves other numbers alone', () => {
      const input = {
        luhnInvalid: 4111111111111112,
        msTimestamp: 1732800000009, // Luhn-valid, but not a card network prefix
        unix: 1732800000,
        tokens: 4096,
        price: 1234.56,
        negative: -4111111111111111,
        fraction: 4111111111111.5,
        unsafe: 41111111111111111, // 17 digits, past 2^53: its digits are already lost
      };
      expect(redactValue(input, piiRedactors, ctx)).toEqual({ value: input, hits: {} });
      // JSON has no bigint: it becomes its decimal string, redacted like any string.
      expect(redactValue({ big: 41111111111111111111n, card: 4111111111111111n }, piiRedactors, ctx)).toEqual({
        value: { big: '41111111111111111111', card: '[REDACTED:card]' },
        hits: { card: 1 },
      });
    });
  });

  it('follows JSON.stringify for toJSON and keeps a __proto__ key as data', () => {
    const date = new Date('2026-11-29T12:30:45.000Z');
    const custom = { toJSON: () => ({ contact: 'ann@example.com' }) };
    const parsed = JSON.parse('{"__proto__": {"email": "bob@example.org"}, "ok": 1}') as unknown;
    const { value, hits } = redactValue({ date, custom, parsed }, piiRedactors, ctx);
    expect(hits).toEqual({ email: 2 });
    expect(JSON.stringify(value)).toBe(
      '{"date":"2026-11-29T12:30:45.000Z","custom":{"contact":"[REDACTED:email]"},"parsed":{"__proto__":{"email":"[REDACTED:email]"},"ok":1}}',
    );
    expect(Object.getPrototypeOf((value as { parsed: object }).parsed)).toBe(Object.prototype);
  });

  it('throws on a cyclic structure (fail closed)', () => {
    const a: Record<string, unknown> = { text: 'x' };
    a.self = a;
    expect(() => redactValue(a, piiRedactors, ctx)).toThrow(ContentShapeError);
  });

  it('shared (non-cyclic) references are fine', () => {
    const shared = { e: 'ann@example.com' };
    expect(redactValue([shared, shared], piiRedactors, ctx).hits).toEqual({ email: 2 });
  });

  describe('fail closed', () => {
    it('a redactor that throws propagates its error', () => {
      const boom = new Error('rule exploded');
      const throwing: Redactor = {
        name: 'throwing',
        redact: () => {
          throw boom;
        },
      };
      let caught: unknown;
      try {
        redactValue({ a: ['x'] }, [...piiRedactors, throwing], ctx);
      } catch (err) {
        caught = err;
      }
      // Attributed to the redactor, with the original kept as the cause.
      expect(caught).toBeInstanceOf(RedactorError);
      expect((caught as RedactorError).redactor).toBe(throwing);
      expect((caught as RedactorError).cause).toBe(boom);
    });

    it('a redactor returning a malformed result is an error', () => {
      const bad = (result: unknown): Redactor => ({ name: 'bad', redact: () => result as never });
      for (const result of [undefined, null, 'text', { text: 1, hits: 0 }, { text: 'x', hits: -1 }, { text: 'x', hits: 0.5 }, { text: 'x' }]) {
        expect(() => redactValue('x', [bad(result)], ctx)).toThrow(/Redactor "bad" returned an invalid result/);
      }
    });

    it('a deadline already past throws RedactionTimeoutError before any work', () => {
      let calls = 0;
      const counting: Redactor = { name: 'counting', redact: (text) => (calls++, { text, hits: 0 }) };
      const run = () => redactValue({ a: 'x' }, [counting], ctx, { deadline: Date.now() - 1 });
      expect(run).toThrow(RedactionTimeoutError);
      expect(calls).toBe(0);
      try {
        run();
      } catch (e) {
        expect(e).toBeInstanceOf(Error);
        expect((e as Error).name).toBe('RedactionTimeoutError');
        expect((e as RedactionTimeoutError).running).toBeUndefined();
      }
    });

    it('a deadline passed mid-walk throws RedactionTimeoutError', () => {
      let now = 1_000;
      const slow: Redactor = { name: 'slow', redact: (text) => ((now += 10), { text, hits: 0 }) };
      const input = Array.from({ length: 100 }, (_, i) => `string ${i}`);
      expect(() => redactValue(input, [slow], ctx, { deadline: 1_500, now: () => now })).toThrow(RedactionTimeoutError);
      expect(now).toBeGreaterThan(1_500);
      expect(now).toBeLessThan(1_600); // stopped at the first check after the deadline
    });

    it('a deadline in the future does not get in the way', () => {
      expect(redactValue({ a: 'ann@example.com' }, piiRedactors, ctx, { deadline: Date.now() + 60_000 })).toEqual({
        value: { a: '[REDACTED:email]' },
        hits: { email: 1 },
      });
    });
  });

  it('applies redactors in order, each to the previous output, with custom rules alongside', () => {
    const customer = compileCustomPattern({ name: 'customer-id', pattern: 'CUST-\\d{6}' });
    const seen: string[] = [];
    const spy: Redactor = { name: 'spy', redact: (text) => (seen.push(text), { text, hits: 0 }) };
    const { value, hits } = redactValue(
      { note: 'CUST-123456 wrote from ann@example.com' },
      [...piiRedactors, customer, spy],
      ctx,
    );
    expect(value).toEqual({ note: '[REDACTED:customer-id] wrote from [REDACTED:email]' });
    expect(hits).toEqual({ email: 1, 'customer-id': 1 });
    expect(seen).toEqual(['[REDACTED:customer-id] wrote from [REDACTED:email]']);
  });

  it('passes the context to each redactor', () => {
    const contexts: RedactContext[] = [];
    const spy: Redactor = { name: 'spy', redact: (text, c) => (contexts.push(c), { text, hits: 0 }) };
    redactValue(['a', 'b'], [spy], ctx);
    expect(contexts).toEqual([ctx, ctx]);
  });
});

describe('redactText', () => {
  it('applies a list to one string', () => {
    expect(redactText('ann@example.com / 4111 1111 1111 1111', piiRedactors, ctx)).toEqual({
      text: '[REDACTED:email] / [REDACTED:card]',
      hits: { email: 1, card: 1 },
    });
  });
});
