import type { NewSpanRow } from '../../db/tables';

// usage_in_descendants as far as the batch alone can tell: a span that reports usage (total
// tokens) is marked when a span below it in the same batch reports usage too. The store stage
// writes these marks with the rows, so a batch that carries its traces whole (what the SDK and
// most exporters send) leaves rollUpTraces (trace-roll-up.ts) no mark to change. A change is not free:
// each changed span is a new row version in every index of `spans` and a second run of the
// roll-up trigger (≈ 1 ms of Postgres per batch of 100 spans with 10 traces).
//
// Only a guess: rollUpTraces still recomputes the marks of the batch's traces from
// every stored span, and corrects what the batch could not see (a child stored by an earlier
// batch, an ancestor outside the batch). Every mark set here is also one it would set: the walk
// follows the batch's own parent links, which are the links the upsert stores.

/**
 * What the batch alone tells of its usage: `marks[i]` for `rows[i]` (spans without usage are never
 * marked, as in rollUpTraces); `carriesUsage[i]`, usage reported at `rows[i]` or below it in the
 * batch — its ancestors outside the batch are above usage too, which appendToTraces
 * (trace-append-roll-up.ts) checks against their stored marks; and `parentInAnotherTrace`, a span
 * naming a parent of the batch that is in another trace (a link the addition does not take).
 */
export function usageWithinBatch(rows: readonly Pick<NewSpanRow, 'id' | 'trace_id' | 'parent_id' | 'total_tokens'>[]): {
  marks: boolean[];
  carriesUsage: boolean[];
  parentInAnotherTrace: boolean;
} {
  const indexById = new Map<string, number>();
  rows.forEach((row, i) => indexById.set(row.id, i));
  // A parent in another trace ends the walk, as it does in rollUpTraces.
  let parentInAnotherTrace = false;
  const parentIndex = rows.map((row) => {
    const parent = row.parent_id == null ? undefined : indexById.get(row.parent_id);
    if (parent === undefined) return undefined;
    if (rows[parent]!.trace_id === row.trace_id) return parent;
    parentInAnotherTrace = true;
    return undefined;
  });
  const parentOf = (i: number) => parentIndex[i];
  const marks = rows.map(() => false);
  const reachedFromBelow = new Set<number>();
  for (let i = 0; i < rows.length; i++) {
    if (rows[i]!.total_tokens == null) continue;
    // Up the chain while the parent is in the batch and not yet reached: a span reached once has
    // had its own ancestors walked already, and a parent cycle sent by a client ends here too.
    for (let parent = parentOf(i); parent !== undefined && !reachedFromBelow.has(parent); parent = parentOf(parent)) {
      reachedFromBelow.add(parent);
      if (rows[parent]!.total_tokens != null) marks[parent] = true;
    }
  }
  return { marks, carriesUsage: rows.map((row, i) => row.total_tokens != null || reachedFromBelow.has(i)), parentInAnotherTrace };
}
