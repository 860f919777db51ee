import { describe, expect, it } from 'vitest';
import { costText, tokensText } from './unknown-usage';

describe('unknown usage and cost in the trace list', () => {
  it('says "not reported" instead of 0 tokens, and marks partial totals', () => {
    expect(tokensText(1234, 0)).toEqual({ text: '1,234', note: '' });
    expect(tokensText(0, 1)).toEqual({ text: 'not reported', note: 'usage not reported for 1 generation' });
    expect(tokensText(500, 2).text).toBe('500*');
  });

  it('says "—" instead of $0 for an unknown cost, and marks partial totals', () => {
    expect(costText(null, 1)).toEqual({ text: '—', note: '1 span without a known cost' });
    expect(costText(0.0012, 0)).toEqual({ text: '$0.001200', note: '' });
    expect(costText(0.0012, 3).text).toBe('$0.001200*');
  });
});
