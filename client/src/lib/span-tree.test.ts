import { describe, expect, it } from 'vitest';
import { buildWaterfall } from './span-tree';

const at = (s: number) => new Date(Date.UTC(2026, 10, 1, 10, 0, 0) + s).toISOString();

describe('buildWaterfall', () => {
  it('orders spans parent first, children by start, with depth and bar geometry', () => {
    const { rows, totalMs } = buildWaterfall([
      { id: 'c2', parentId: 'root', startTime: at(600), endTime: at(1000) },
      { id: 'root', parentId: null, startTime: at(0), endTime: at(1000) },
      { id: 'c1', parentId: 'root', startTime: at(100), endTime: at(500) },
      { id: 'g1', parentId: 'c1', startTime: at(200), endTime: at(300) },
    ]);
    expect(totalMs).toBe(1000);
    expect(rows.map((r) => [r.span.id, r.depth])).toEqual([
      ['root', 0],
      ['c1', 1],
      ['g1', 2],
      ['c2', 1],
    ]);
    const c1 = rows[1]!;
    expect(c1.offsetPct).toBeCloseTo(10);
    expect(c1.widthPct).toBeCloseTo(40);
    expect(c1.durationMs).toBe(400);
  });

  it('shows orphans at the top level and survives cycles', () => {
    const { rows } = buildWaterfall([
      { id: 'a', parentId: 'missing', startTime: at(0), endTime: at(10) },
      { id: 'x', parentId: 'y', startTime: at(0), endTime: null },
      { id: 'y', parentId: 'x', startTime: at(5), endTime: at(6) },
    ]);
    expect(rows.map((r) => r.span.id).sort()).toEqual(['a', 'x', 'y']);
    expect(rows.find((r) => r.span.id === 'x')?.durationMs).toBeNull();
  });

  it('handles an empty trace', () => {
    expect(buildWaterfall([])).toEqual({ rows: [], totalMs: 0 });
  });
});
