import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../../plugins/core/seeded-random';
import { contentJson } from '../../storage/content';
import { contentValue, UnparsedContent } from './content-source-text';
import type { SpanReading } from './read-spans';
import { putReadingsBack, readingsTransferList, takeReadingsOut } from './readings-across-threads';
import type { SpanInputData } from './validate-span';

// Readings cross from a read worker to the server's thread as JSON plus content texts
// (readings-across-threads.ts, readings-as-json.ts). What the server's thread gets must be what a
// structured clone of the readings would have given it: every field with its type (Dates as
// Dates), every string as it was — lone surrogates, NUL, `__proto__` keys — content null apart
// from undefined, and every content value readable as sent.

const STRINGS = ['', 'plain', 'ünïcödé ✓', '🙂 emoji', 'lone \ud83d half', 'nul\u0000inside', 'quote " backslash \\ newline \n', '__proto__'];

function generator(seed: number) {
  const random = seededRandom(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  // As validate-span.ts makes a span: an absent field is null; only content may be undefined.
  const maybe = <T>(make: () => T): T | null => (random() < 0.35 ? null : make());
  const json = (depth: number): unknown => {
    const r = random();
    if (depth <= 0 || r < 0.35) return pick<unknown>([pick(STRINGS), Math.floor(random() * 1e6) - 5e5, random() * 10, true, false, null]);
    if (r < 0.6) return Array.from({ length: Math.floor(random() * 4) }, () => json(depth - 1));
    const object: Record<string, unknown> = {};
    for (let i = 0; i < 1 + Math.floor(random() * 4); i++) {
      Object.defineProperty(object, pick([...STRINGS, 'role', 'content']), { value: json(depth - 1), enumerable: true, writable: true, configurable: true });
    }
    return object;
  };
  const date = () => new Date(Date.UTC(2020, 0, 1) + Math.floor(random() * 1e11));
  const span = (i: number): SpanInputData => ({
    id: `span-${seed}-${i}`,
    traceId: `trace-${seed}-${i % 3}`,
    parentId: maybe(() => `span-${seed}-${i - 1}`),
    kind: pick(['SPAN', 'GENERATION', 'EVENT', 'TOOL', 'RETRIEVAL', 'AGENT', 'EMBEDDING'] as const),
    name: pick(STRINGS) || 'name',
    model: maybe(() => 'gpt-4o-mini'),
    provider: maybe(() => pick(STRINGS)),
    input: pick([undefined, null, pick(STRINGS), json(3), [json(2)], { role: 'user', content: pick(STRINGS) }]),
    output: pick([undefined, null, pick(STRINGS), json(3), { nested: { deeper: [json(1)] } }]),
    promptTokens: maybe(() => Math.floor(random() * 1e5)),
    completionTokens: maybe(() => Math.floor(random() * 1e5)),
    cacheReadTokens: maybe(() => Math.floor(random() * 1e3)),
    cacheWriteTokens: maybe(() => 0),
    reasoningTokens: maybe(() => Math.floor(random() * 1e3)),
    startTime: date(),
    endTime: maybe(date),
    completionStartTime: maybe(date),
    status: maybe(() => pick(['OK', 'ERROR'] as const)),
    statusMessage: maybe(() => pick(STRINGS)),
    metadata: maybe(() => json(3)),
    trace: maybe(() => ({ name: maybe(() => pick(STRINGS)), userId: maybe(() => pick(STRINGS)), sessionId: maybe(() => 's'), tags: maybe(() => [pick(STRINGS)]), metadata: maybe(() => json(2)) })),
  });
  const reading = (i: number): SpanReading => (random() < 0.15 ? { reason: `bad span ${pick(STRINGS)}`, id: maybe(() => `span-${seed}-${i}`) } : { span: span(i) });
  return { readings: (count: number) => Array.from({ length: count }, (_, i) => reading(i)) };
}

/** What the server's thread sees of a content value: UnparsedContent is read as a stage would. */
function asRead(readings: SpanReading[]): SpanReading[] {
  for (const reading of readings) {
    if (!('span' in reading)) continue;
    reading.span.input = contentValue(reading.span.input);
    reading.span.output = contentValue(reading.span.output);
  }
  return readings;
}

describe('readings across threads', () => {
  it('gives the server’s thread what a structured clone would: 300 seeded random batches', () => {
    for (let seed = 1; seed <= 300; seed++) {
      const sent = generator(seed).readings(1 + (seed % 25));
      const expected = structuredClone(sent);
      const across = takeReadingsOut(sent, contentJson);
      // As postMessage moves them: only the buffers and a string cross.
      expect(readingsTransferList(across).every((b) => b instanceof ArrayBuffer)).toBe(true);
      const received = putReadingsBack(structuredClone(across));
      for (const reading of received) {
        if (!('span' in reading)) continue;
        for (const field of ['startTime', 'endTime', 'completionStartTime'] as const) {
          const value = reading.span[field];
          if (value !== null && value !== undefined) expect(value, `seed ${seed} ${field}`).toBeInstanceOf(Date);
        }
      }
      expect(asRead(received), `seed ${seed}`).toEqual(expected);
    }
  });

  it('keeps a key named __proto__ as a key, and content as text until it is read', () => {
    const metadata = JSON.parse('{"__proto__": {"polluted": true}, "ok": 1}') as Record<string, unknown>;
    const span: SpanInputData = { id: 's1', traceId: 't1', kind: 'GENERATION', name: 'n', startTime: new Date('2026-01-02T03:04:05.678Z'), input: { a: [1, '\ud83d'] }, metadata };
    const [back] = putReadingsBack(takeReadingsOut([{ span }], contentJson)) as [{ span: SpanInputData }];
    expect(Object.keys(back.span.metadata as object)).toEqual(['__proto__', 'ok']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(back.span.input).toBeInstanceOf(UnparsedContent);
    expect(contentValue(back.span.input)).toEqual({ a: [1, '\ud83d'] });
    expect(back.span.startTime.toISOString()).toBe('2026-01-02T03:04:05.678Z');
  });
});
