import { describe, expect, it } from 'vitest';
import { parseDays } from './settings-draft';

describe('parseDays', () => {
  it('reads an empty box as forever, whole days as days, anything else as invalid', () => {
    expect(parseDays('')).toBeNull();
    expect(parseDays('  ')).toBeNull();
    expect(parseDays('30')).toBe(30);
    expect(parseDays('36500')).toBe(36_500);
    for (const bad of ['0', '-1', '1.5', '36501', 'abc']) expect(parseDays(bad)).toBeUndefined();
  });
});
