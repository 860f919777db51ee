import { describe, expect, it } from 'vitest';
import { formatCost, formatDuration, formatInt, formatRelative } from './format';

describe('format', () => {
  it('formats durations for table cells', () => {
    expect(formatDuration(null)).toBe('—');
    expect(formatDuration(0.5)).toBe('0.50 ms');
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
});
