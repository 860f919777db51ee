import { describe, expect, it } from 'vitest';
import { tokenBreakdown } from './token-breakdown';

describe('tokenBreakdown', () => {
  it('sums cache reads, cache writes and reasoning over the spans that count', () => {
    expect(
      tokenBreakdown([
        { id: 'a', totalTokens: 1_250, cacheReadTokens: 1_024, reasoningTokens: 10 },
        { id: 'b', totalTokens: 300, cacheReadTokens: 64, cacheWriteTokens: 200 },
      ]),
    ).toEqual({ cacheReadTokens: 1_088, cacheWriteTokens: 200, reasoningTokens: 10 });
  });

  it('counts an agent span’s usage once, at the model calls below it', () => {
    expect(
      tokenBreakdown([
        { id: 'agent', totalTokens: 2_000, cacheReadTokens: 1_500 },
        { id: 'step', parentId: 'agent' },
        { id: 'call-1', parentId: 'step', totalTokens: 1_000, cacheReadTokens: 700 },
        { id: 'call-2', parentId: 'step', totalTokens: 1_000, cacheReadTokens: 800 },
      ]).cacheReadTokens,
    ).toBe(1_500);
  });

  it('says unknown (null), not 0, when no span reported a part, and survives a parent cycle', () => {
    expect(tokenBreakdown([{ id: 'a', totalTokens: 10 }])).toEqual({ cacheReadTokens: null, cacheWriteTokens: null, reasoningTokens: null });
    expect(tokenBreakdown([{ id: 'a', parentId: 'b', totalTokens: 1, cacheReadTokens: 1 }, { id: 'b', parentId: 'a', totalTokens: 1, cacheReadTokens: 1 }]).cacheReadTokens).toBeNull();
  });
});
