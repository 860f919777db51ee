import { describe, expect, it } from 'vitest';
import { formatCost, formatCostAxis, formatCountAxis, formatDuration, formatDurationAxis, formatInt, formatRelative } from './format';

describe('format', () => {
  it('formats durations for table cells', () => {
    expect(formatDuration(null)).toBe('—');
    expect(formatDuration(0.5)).toBe('0.5 ms');
    expect(formatDuration(0)).toBe('0 ms');
    expect(formatDuration(250)).toBe('250 ms');
    expect(formatDuration(1250)).toBe('1.25 s');
    expect(formatDuration(12_500)).toBe('12.5 s');
    expect(formatDuration(125_000)).toBe('2m 05s');
  });

  it('formats costs with precision that fits the amount', () => {
    expect(formatCost(null)).toBe('—');
    expect(formatCost(0)).toBe('$0');
    expect(formatCost(0.00015)).toBe('$0.000150');
    expect(formatCost(1.23456)).toBe('$1.2346');
    expect(formatCost(1234.5)).toBe('$1234.50');
  });

  it('formats integers and relative times', () => {
    expect(formatInt(1234567)).toBe('1,234,567');
    expect(formatInt(undefined)).toBe('—');
    const now = new Date('2026-11-01T12:00:00Z');
    expect(formatRelative(null, now)).toBe('never');
    expect(formatRelative('2026-11-01T11:59:30Z', now)).toBe('just now');
    expect(formatRelative('2026-11-01T11:57:00Z', now)).toBe('3 minutes ago');
    expect(formatRelative('2026-11-01T13:00:00Z', now)).toBe('in 1 hour');
    expect(formatRelative('2026-10-30T12:00:00Z', now)).toBe('2 days ago');
  });

  it('formats chart axes as people write numbers: no padding zeros', () => {
    expect([0, 0.001, 0.002, 0.0025, 0.007, 0.25, 0.5, 1, 1.5, 12, 1234.5, 12_000].map(formatCostAxis)).toEqual([
      '$0', '$0.001', '$0.002', '$0.0025', '$0.007', '$0.25', '$0.5', '$1', '$1.5', '$12', '$1,234.5', '$12K',
    ]);
    expect([0, 0.5, 250, 1000, 1500, 2500, 90_000].map(formatDurationAxis)).toEqual(['0 ms', '0.5 ms', '250 ms', '1 s', '1.5 s', '2.5 s', '1.5 min']);
    expect([0, 250, 9_500, 12_000, 1_500_000].map(formatCountAxis)).toEqual(['0', '250', '9,500', '12K', '1.5M']);
  });
});
