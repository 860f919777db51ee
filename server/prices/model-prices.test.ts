import { describe, expect, it } from 'vitest';
import { seedPrices } from '../../migrations/20261129000100_seed_model_prices';
import { computeCostUsd, createPriceTable } from './model-prices';
import type { ModelPrice } from './model-prices';

const seeded: ModelPrice[] = seedPrices.map((row) => ({
  provider: row.provider,
  model: row.model,
  matchType: row.match_type,
  inputUsdPerMillion: row.input_usd_per_million,
  outputUsdPerMillion: row.output_usd_per_million,
  effectiveFrom: new Date(`${row.effective_from}T00:00:00Z`),
}));

const table = createPriceTable(seeded);
const now = new Date('2026-11-29T12:00:00Z');

function price(model: string, input: number, output: number, from: string, matchType: 'exact' | 'pattern' = 'exact'): ModelPrice {
  return {
    provider: 'test',
    model,
    matchType,
    inputUsdPerMillion: input,
    outputUsdPerMillion: output,
    effectiveFrom: new Date(from),
  };
}

describe('seeded prices', () => {
  it('prices gpt-4o-mini at the seeded rate for 1,000 input + 500 output tokens', () => {
    const row = seedPrices.find((p) => p.model === 'gpt-4o-mini' && p.match_type === 'exact');
    expect(row).toBeDefined();
    const expected = (1_000 * row!.input_usd_per_million + 500 * row!.output_usd_per_million) / 1_000_000;

    const found = table.find('gpt-4o-mini', now);
    expect(found?.model).toBe('gpt-4o-mini');
    expect(computeCostUsd(found, 1_000, 500)).toBeCloseTo(expected, 12);
  });

  it.each([
    ['gpt-4o-2024-08-06', String.raw`^gpt-4o-\d{4}-\d{2}-\d{2}$`],
    ['gpt-4o-2024-11-20', String.raw`^gpt-4o-\d{4}-\d{2}-\d{2}$`],
    ['gpt-4o-mini-2024-07-18', String.raw`^gpt-4o-mini-\d{4}-\d{2}-\d{2}$`],
    ['claude-3-5-sonnet-20241022', String.raw`^(?:(?:[a-z]+\.)?anthropic\.)?claude-3-5-sonnet(?:-v2)?[-@]\d{8}(?:-v\d+:\d+)?$`],
    ['anthropic.claude-3-5-sonnet-20240620-v1:0', String.raw`^(?:(?:[a-z]+\.)?anthropic\.)?claude-3-5-sonnet(?:-v2)?[-@]\d{8}(?:-v\d+:\d+)?$`],
    ['claude-3-5-sonnet-v2@20241022', String.raw`^(?:(?:[a-z]+\.)?anthropic\.)?claude-3-5-sonnet(?:-v2)?[-@]\d{8}(?:-v\d+:\d+)?$`],
    ['claude-sonnet-4-20250514', String.raw`^(?:(?:[a-z]+\.)?anthropic\.)?claude-sonnet-4[-@]\d{8}(?:-v\d+:\d+)?$`],
    ['us.anthropic.claude-sonnet-4-5-20250929-v1:0', String.raw`^(?:(?:[a-z]+\.)?anthropic\.)?claude-sonnet-4-5[-@]\d{8}(?:-v\d+:\d+)?$`],
    ['meta-llama/Meta-Llama-3.1-8B-Instruct-Turbo', String.raw`^(?:meta-llama/)?(?:meta-)?llama-3\.1-8b-instruct(?:-turbo)?$`],
  ])('prices the dated or hosted id %s through its pattern', (model, pattern) => {
    const found = table.find(model, now);
    expect(found).toMatchObject({ matchType: 'pattern', model: pattern });
    expect(computeCostUsd(found, 1_000_000, 0)).toBe(found!.inputUsdPerMillion);
  });

  it('lets an exact row for a snapshot beat its family pattern', () => {
    expect(table.find('gpt-4o-2024-05-13', now)).toMatchObject({ matchType: 'exact', inputUsdPerMillion: 5 });
    expect(table.find('gpt-4o-2024-08-06', now)).toMatchObject({ matchType: 'pattern', inputUsdPerMillion: 2.5 });
  });

  it('follows a seeded price change (o3 was cut on 2025-06-10)', () => {
    const before = table.find('o3', new Date('2025-05-01T00:00:00Z'));
    const after = table.find('o3', new Date('2025-07-01T00:00:00Z'));
    expect(after!.inputUsdPerMillion).toBeLessThan(before!.inputUsdPerMillion);
    expect(table.find('o3-2025-04-16', new Date('2025-07-01T00:00:00Z'))?.inputUsdPerMillion).toBe(after!.inputUsdPerMillion);
  });

  it.each([
    'gpt-4o', 'gpt-4o-mini', 'gpt-4.1', 'gpt-4.1-mini', 'gpt-4.1-nano', 'o1', 'o1-mini', 'o3', 'o3-mini', 'o4-mini',
    'gpt-4-turbo', 'gpt-3.5-turbo', 'gpt-5', 'gpt-5-mini', 'gpt-5-nano', 'text-embedding-3-small', 'text-embedding-3-large',
    'claude-3-5-sonnet', 'claude-3-5-haiku', 'claude-3-7-sonnet', 'claude-sonnet-4', 'claude-opus-4', 'claude-3-opus',
    'claude-3-haiku', 'claude-haiku-4-5', 'claude-sonnet-4-5', 'claude-opus-4-1',
    'gemini-1.5-pro', 'gemini-1.5-flash', 'gemini-2.0-flash', 'gemini-2.5-pro', 'gemini-2.5-flash',
    'mistral-large', 'mistral-small', 'codestral', 'open-mistral-nemo', 'mistral-large-latest',
    'llama-3.1-8b-instruct', 'llama-3.1-70b-instruct', 'llama-3.1-405b-instruct', 'llama-3.3-70b',
  ])('has an exact price for %s', (model) => {
    // '-latest' ids are covered by patterns; everything else listed is a plain name with its own row.
    const found = table.find(model, now);
    expect(found).toBeDefined();
    if (!model.endsWith('-latest')) expect(found?.matchType).toBe('exact');
  });

  it('has only patterns that compile and no duplicate (model, match_type, effective_from) keys', () => {
    for (const row of seedPrices.filter((p) => p.match_type === 'pattern')) {
      expect(() => new RegExp(row.model)).not.toThrow();
    }
    const keys = seedPrices.map((p) => `${p.model}|${p.match_type}|${p.effective_from}`);
    expect(new Set(keys).size).toBe(keys.length);
  });
});

describe('createPriceTable', () => {
  it('returns undefined for an unknown model, which costs null rather than 0', () => {
    const found = table.find('acme-llm-9000', now);
    expect(found).toBeUndefined();
    expect(computeCostUsd(found, 1_000, 500)).toBeNull();
  });

  it('anchors names and patterns', () => {
    expect(table.find('gpt-4o-mini-foo', now)).toBeUndefined();
    expect(table.find('my-gpt-4o-2024-08-06', now)).toBeUndefined();
    // The gpt-4o snapshot pattern must not capture a gpt-4o-mini snapshot.
    expect(table.find('gpt-4o-mini-2024-07-18', now)?.inputUsdPerMillion).toBe(0.15);

    // Anchored even when the stored pattern is not.
    const loose = createPriceTable([price('gpt-4o', 2.5, 10, '2024-01-01', 'pattern')]);
    expect(loose.find('gpt-4o', now)).toBeDefined();
    expect(loose.find('gpt-4o-mini', now)).toBeUndefined();
    expect(loose.find('openai/gpt-4o', now)).toBeUndefined();
  });

  it('matches exact names case-insensitively and prefers them over patterns', () => {
    expect(table.find('GPT-4o-Mini', now)?.model).toBe('gpt-4o-mini');

    const both = createPriceTable([price('.*', 9, 9, '2024-01-01', 'pattern'), price('acme-1', 1, 1, '2024-01-01')]);
    expect(both.find('acme-1', now)?.inputUsdPerMillion).toBe(1);
    expect(both.find('acme-2', now)?.inputUsdPerMillion).toBe(9);
  });

  it('picks the row in effect at the span time', () => {
    // Given out of order on purpose: the table must not rely on input order for dates.
    const dated = createPriceTable([
      price('acme-1', 2, 4, '2025-06-01T00:00:00Z'),
      price('acme-1', 1, 2, '2025-01-01T00:00:00Z'),
    ]);
    expect(dated.find('acme-1', new Date('2025-03-01T00:00:00Z'))?.inputUsdPerMillion).toBe(1);
    expect(dated.find('acme-1', new Date('2025-06-01T00:00:00Z'))?.inputUsdPerMillion).toBe(2);
    expect(dated.find('acme-1', new Date('2025-09-01T00:00:00Z'))?.inputUsdPerMillion).toBe(2);
    // Before every row: the oldest price still applies.
    expect(dated.find('acme-1', new Date('2024-12-31T23:59:00Z'))?.inputUsdPerMillion).toBe(1);
  });

  it('skips a pattern that does not compile instead of throwing', () => {
    const prices = [price('(unclosed', 1, 1, '2024-01-01', 'pattern'), price('^acme-\\d+$', 3, 3, '2024-01-01', 'pattern')];
    expect(() => createPriceTable(prices)).not.toThrow();
    const withBad = createPriceTable(prices);
    expect(withBad.find('(unclosed', now)).toBeUndefined();
    expect(withBad.find('acme-7', now)?.inputUsdPerMillion).toBe(3);
  });

  it('keeps answering correctly after more distinct names than the cache holds', () => {
    for (let i = 0; i < 1_500; i++) expect(table.find(`unknown-model-${i}`, now)).toBeUndefined();
    expect(table.find('gpt-4o-mini', now)?.model).toBe('gpt-4o-mini');
    expect(table.find('unknown-model-0', now)).toBeUndefined();
  });
});

describe('computeCostUsd', () => {
  const p = price('acme-1', 0.1, 0.3, '2024-01-01');

  it('is null when both token counts are null', () => {
    expect(computeCostUsd(p, null, null)).toBeNull();
  });

  it('counts a single missing count as zero', () => {
    expect(computeCostUsd(p, 1_000_000, null)).toBe(0.1);
    expect(computeCostUsd(p, null, 1_000_000)).toBe(0.3);
  });

  it('is 0, not null, for a priced span with zero tokens', () => {
    expect(computeCostUsd(p, 0, 0)).toBe(0);
  });

  it('rounds away floating-point noise', () => {
    // 3 * 0.1 / 1e6 is 3.0000000000000004e-7 in plain float arithmetic.
    expect(computeCostUsd(p, 3, 0)).toBe(3e-7);
  });
});

describe('warmUp', () => {
  it('changes no lookup: a table priced before its patterns were compiled prices the same after', async () => {
    const models = ['gpt-4o-mini-2024-07-18', 'claude-3-5-sonnet-20241022', 'not-a-model', 'GPT-4O-MINI-2024-07-18'];
    const cold = createPriceTable(seeded);
    const before = models.map((m) => cold.find(m, now));
    const warm = createPriceTable(seeded);
    await warm.warmUp();
    expect(models.map((m) => warm.find(m, now))).toEqual(before);
    await cold.warmUp(); // what a lookup compiled already is skipped
    expect(models.map((m) => cold.find(m, now))).toEqual(before);
  });
});
