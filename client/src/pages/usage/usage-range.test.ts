import { describe, expect, it } from 'vitest';
import { usageWindow } from './usage-range';

describe('usageWindow', () => {
  it('ends at the next full hour and stays under the bucket limit', () => {
    const now = new Date('2026-11-01T10:20:00Z');
    expect(usageWindow('24h', now)).toEqual({ from: '2026-10-31T11:00:00.000Z', to: '2026-11-01T11:00:00.000Z', bucket: 'HOUR' });
    expect(usageWindow('7d', now).bucket).toBe('HOUR'); // 168 buckets
    expect(usageWindow('365d', now).bucket).toBe('DAY');
    expect(usageWindow('bogus', now)).toEqual(usageWindow('7d', now));
  });
});
