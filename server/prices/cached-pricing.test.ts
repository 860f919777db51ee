import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../testing/test-app';
import { computeCostUsd, createPriceTable, type ModelPrice } from './model-prices';
import { priceWith } from './price-book';

// Cached input at its own rate, cache writes, per-request prices, and a project's prices over
// the built-in table from their date (issue 16).

function price(overrides: Partial<ModelPrice> = {}): ModelPrice {
  return {
    ref: 'builtin:1',
    provider: 'test',
    model: 'acme-1',
    matchType: 'exact',
    inputUsdPerMillion: 2,
    outputUsdPerMillion: 8,
    effectiveFrom: new Date('2025-01-01T00:00:00Z'),
    ...overrides,
  };
}

describe('computeCostUsd with cache counts', () => {
  it('bills 1,024 cached of 1,200 prompt tokens at the cached rate (the issue’s example)', () => {
    const p = price({ inputUsdPerMillion: 0.15, cachedInputUsdPerMillion: 0.075, outputUsdPerMillion: 0.6 });
    const cost = computeCostUsd(p, 1_200, 100, { cacheReadTokens: 1_024 });
    expect(cost).toBeCloseTo((176 * 0.15 + 1_024 * 0.075 + 100 * 0.6) / 1e6, 12);
    // Without the counts, all 1,200 are full price: the first wave's figure, and more.
    expect(computeCostUsd(p, 1_200, 100)).toBeGreaterThan(cost!);
  });

  it('bills cache writes at the write rate and the rest of the prompt at the input rate', () => {
    const p = price({ inputUsdPerMillion: 3, cachedInputUsdPerMillion: 0.3, cacheWriteUsdPerMillion: 3.75, outputUsdPerMillion: 15 });
    expect(computeCostUsd(p, 10_000, 0, { cacheReadTokens: 4_000, cacheWriteTokens: 5_000 })).toBeCloseTo((1_000 * 3 + 4_000 * 0.3 + 5_000 * 3.75) / 1e6, 12);
  });

  it('bills cache reads and writes at the input price when the row has no cache rates', () => {
    const p = price();
    expect(computeCostUsd(p, 1_000, 0, { cacheReadTokens: 600, cacheWriteTokens: 100 })).toBe(computeCostUsd(p, 1_000, 0));
  });

  it('never bills more cached tokens than the prompt had, nor negative counts', () => {
    const p = price({ cachedInputUsdPerMillion: 1 });
    expect(computeCostUsd(p, 100, 0, { cacheReadTokens: 5_000 })).toBe(computeCostUsd(p, 100, 0, { cacheReadTokens: 100 }));
    expect(computeCostUsd(p, 100, 0, { cacheReadTokens: -50 })).toBe(computeCostUsd(p, 100, 0));
  });

  it('adds a per-request price once per call, and prices a per-call-only model without counts', () => {
    expect(computeCostUsd(price({ perRequestUsd: 0.01 }), 1_000_000, 0)).toBe(2.01);
    const perCall = price({ inputUsdPerMillion: 0, outputUsdPerMillion: 0, perRequestUsd: 0.005 });
    expect(computeCostUsd(perCall, null, null)).toBe(0.005);
    // Token prices and no counts: unknown, as before.
    expect(computeCostUsd(price({ perRequestUsd: 0.005 }), null, null)).toBeNull();
  });
});

describe('priceWith: a project’s prices over the built-in table', () => {
  const builtIn = createPriceTable([price({ ref: 'builtin:7', model: 'gpt-x', inputUsdPerMillion: 10, outputUsdPerMillion: 10 })]);
  const project = createPriceTable(
    [price({ ref: 'project:p1', model: 'gpt-x', inputUsdPerMillion: 5, outputUsdPerMillion: 5, effectiveFrom: new Date('2026-06-01T00:00:00Z') })],
    { beforeFirstRow: 'none' },
  );
  const tokens = { promptTokens: 1_000_000, completionTokens: 0 };

  it('uses the project price from its effective date, the built-in one before it', () => {
    expect(priceWith(project, builtIn, 'gpt-x', new Date('2026-07-01T00:00:00Z'), tokens)).toMatchObject({ costUsd: 5, priceRef: 'project:p1' });
    expect(priceWith(project, builtIn, 'gpt-x', new Date('2026-05-31T23:59:59Z'), tokens)).toMatchObject({ costUsd: 10, priceRef: 'builtin:7' });
    expect(priceWith(null, builtIn, 'gpt-x', new Date('2026-07-01T00:00:00Z'), tokens)).toMatchObject({ costUsd: 10, priceRef: 'builtin:7' });
  });

  it('names no price when the cost is unknown', () => {
    expect(priceWith(project, builtIn, 'unknown-model', new Date(), tokens)).toEqual({ costUsd: null, priceRef: null, price: null });
    expect(priceWith(project, builtIn, 'gpt-x', new Date(), { promptTokens: null, completionTokens: null })).toMatchObject({ costUsd: null, priceRef: null });
  });
});

describe('the built-in table after migration 20261205000200', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());
  const now = new Date('2026-11-29T12:00:00Z');

  it('has OpenAI cached rates by family and Anthropic read/write rates, with sources', () => {
    const find = (m: string) => t.app.deps.prices.findBuiltIn(m, now);
    expect(find('gpt-4o-mini')).toMatchObject({ cachedInputUsdPerMillion: 0.075, source: expect.stringContaining('OpenAI') });
    expect(find('gpt-4o-2024-08-06')).toMatchObject({ cachedInputUsdPerMillion: 1.25 });
    expect(find('gpt-4o-2024-05-13')?.cachedInputUsdPerMillion).toBeNull();
    expect(find('gpt-4.1-nano')?.cachedInputUsdPerMillion).toBe(0.025);
    expect(find('o3-mini')?.cachedInputUsdPerMillion).toBe(0.55);
    expect(find('gpt-5')?.cachedInputUsdPerMillion).toBe(0.125);
    expect(find('gpt-3.5-turbo')?.cachedInputUsdPerMillion).toBeNull();
    expect(find('claude-sonnet-4')).toMatchObject({ cachedInputUsdPerMillion: 0.3, cacheWriteUsdPerMillion: 3.75, source: expect.stringContaining('Anthropic') });
    expect(find('gemini-2.5-pro')?.source).toContain('Gemini');
    expect(find('gpt-4o-mini')?.ref).toMatch(/^builtin:\d+$/);
  });

  it('prices the issue’s example through the book: 1,024 of 1,200 prompt tokens cached on gpt-4o-mini', () => {
    const cost = t.app.deps.prices.costFor('gpt-4o-mini', now, 1_200, 0, { cacheReadTokens: 1_024 });
    expect(cost).toBeCloseTo((176 * 0.15 + 1_024 * 0.075) / 1e6, 12);
  });
});
