import { describe, expect, it } from 'vitest';
import { usageWithinBatch } from './usage-marks';

const usageMarksWithinBatch = (rows: Row[]) => usageWithinBatch(rows).marks;

type Row = { id: string; trace_id: string; parent_id: string | null; total_tokens: number | null };
const row = (id: string, parent: string | null, tokens: number | null = 10, trace = 't'): Row => ({ id, trace_id: trace, parent_id: parent, total_tokens: tokens });

/**
 * The marks rollUpTraces (trace-roll-up.ts) computes when the batch is all there is: a span with usage is
 * marked when it is an ancestor of some span with usage in its trace — itself too, on a parent
 * cycle. A parent in another trace ends the chain.
 */
function bruteForce(rows: Row[]): boolean[] {
  const byId = new Map(rows.map((r) => [r.id, r]));
  return rows.map((target) => {
    if (target.total_tokens == null) return false;
    return rows.some((r) => {
      if (r.total_tokens == null) return false;
      const seen = new Set<string>();
      for (let child = r; child.parent_id != null && !seen.has(child.parent_id); ) {
        const parent = byId.get(child.parent_id);
        if (!parent || parent.trace_id !== child.trace_id) break;
        seen.add(parent.id);
        if (parent.id === target.id) return true;
        child = parent;
      }
      return false;
    });
  });
}

describe('usage marks within a batch', () => {
  it('marks each span with usage that a span below it also reports, through spans without usage', () => {
    const rows = [row('call', 'step'), row('agent', null), row('step', 'agent', null), row('solo', null)];
    expect(usageMarksWithinBatch(rows)).toEqual([false, true, false, false]);
  });

  it('never marks a span without usage, even with usage below it (its own cost still counts)', () => {
    expect(usageMarksWithinBatch([row('agent', null, null), row('call', 'agent')])).toEqual([false, false]);
  });

  it('leaves ancestors outside the batch to the database and ends on a parent cycle', () => {
    expect(usageMarksWithinBatch([row('call', 'stored-agent')])).toEqual([false]);
    expect(usageMarksWithinBatch([row('a', 'b'), row('b', 'a')])).toEqual([true, true]);
    expect(usageMarksWithinBatch([row('self', 'self')])).toEqual([true]);
  });

  it('does not follow a parent in another trace, and says there is one', () => {
    expect(usageMarksWithinBatch([row('agent', null, 10, 't1'), row('call', 'agent', 10, 't2')])).toEqual([false, false]);
    expect(usageWithinBatch([row('agent', null, 10, 't1'), row('call', 'agent', 10, 't2')]).parentInAnotherTrace).toBe(true);
    expect(usageWithinBatch([row('agent', null, 10, 't1'), row('call', 'agent', 10, 't1'), row('x', 'elsewhere')]).parentInAnotherTrace).toBe(false);
  });

  it('agrees with a full recomputation over random forests, cycles included', () => {
    let seed = 7;
    const next = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    for (let round = 0; round < 500; round++) {
      const n = 1 + Math.floor(next() * 12);
      const rows = Array.from({ length: n }, (_, i) =>
        row(`s${i}`, next() < 0.2 ? null : next() < 0.1 ? 'outside' : `s${Math.floor(next() * n)}`, next() < 0.3 ? null : 5, next() < 0.15 ? 'u' : 't'),
      );
      expect(usageMarksWithinBatch(rows), JSON.stringify(rows)).toEqual(bruteForce(rows));
    }
  });
});
