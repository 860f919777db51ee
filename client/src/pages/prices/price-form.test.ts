import { describe, expect, it } from 'vitest';
import { emptyPriceDraft, toPriceInput } from './price-form';

describe('the price form', () => {
  it('turns text fields into the mutation input, leaving optional prices out when empty', () => {
    expect(toPriceInput({ ...emptyPriceDraft('acme-llm'), input: '1.5', output: '6', cachedInput: '0.15', effectiveFrom: '2026-12-01' })).toEqual({
      model: 'acme-llm',
      match: 'EXACT',
      inputUsdPerMillion: 1.5,
      outputUsdPerMillion: 6,
      cachedInputUsdPerMillion: 0.15,
      effectiveFrom: '2026-12-01T00:00:00.000Z',
    });
  });

  it('says what to fix', () => {
    expect((toPriceInput({ ...emptyPriceDraft(), input: '1', output: '1' }) as Error).message).toMatch(/Name the model/);
    expect((toPriceInput({ ...emptyPriceDraft('m'), input: '', output: '1' }) as Error).message).toMatch(/Input price is needed/);
    expect((toPriceInput({ ...emptyPriceDraft('m'), input: '-2', output: '1' }) as Error).message).toMatch(/0 or more/);
  });
});
