import { describe, expect, it } from 'vitest';
import { textPerRowCount } from './statement-text-cache';

describe('textPerRowCount', () => {
  it('builds each count once, and keeps only the last `size` counts', () => {
    const built: number[] = [];
    const text = textPerRowCount(2, (n) => {
      built.push(n);
      return `rows ${n}`;
    });
    expect([text(1), text(1), text(2), text(2)]).toEqual(['rows 1', 'rows 1', 'rows 2', 'rows 2']);
    expect(built).toEqual([1, 2]);
    expect(text(3)).toBe('rows 3'); // evicts 1, the oldest
    expect([text(2), text(3)]).toEqual(['rows 2', 'rows 3']);
    expect(built).toEqual([1, 2, 3]);
    expect(text(1)).toBe('rows 1');
    expect(built).toEqual([1, 2, 3, 1]);
  });
});
