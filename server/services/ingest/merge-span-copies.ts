import type { SpanInputData } from './validate-span';

// The merge stage: copies of one span id within a batch (a start and an end sent together, a
// retry queued behind the original) become one span, so the batch writes each row once.

export interface MergedSpan {
  /** Every index of the request that carried this span: a rejection later names them all. */
  indexes: number[];
  span: SpanInputData;
}

/** One entry per span id, sorted by id, so concurrent batches lock rows in one order and cannot deadlock. */
export function mergeSpanCopies(valid: { index: number; span: SpanInputData }[]): MergedSpan[] {
  const byId = new Map<string, MergedSpan>();
  for (const { index, span } of valid) {
    const seen = byId.get(span.id);
    if (seen) {
      seen.indexes.push(index);
      seen.span = mergeTwo(seen.span, span);
    } else {
      byId.set(span.id, { indexes: [index], span });
    }
  }
  return [...byId.values()].sort((a, b) => (a.span.id < b.span.id ? -1 : a.span.id > b.span.id ? 1 : 0));
}

/** A later copy completes an earlier one: its non-null fields win, tags are a union, ERROR is sticky. */
function mergeTwo(earlier: SpanInputData, later: SpanInputData): SpanInputData {
  const merged: SpanInputData = { ...earlier };
  for (const [key, value] of Object.entries(later) as [keyof SpanInputData, unknown][]) {
    if (value !== null && value !== undefined) (merged as unknown as Record<string, unknown>)[key] = value;
  }
  merged.traceId = earlier.traceId;
  if (earlier.status === 'ERROR') merged.status = 'ERROR';
  if (earlier.trace && later.trace) {
    merged.trace = {
      ...earlier.trace,
      ...Object.fromEntries(Object.entries(later.trace).filter(([, v]) => v !== null && v !== undefined)),
      tags: [...new Set([...(earlier.trace.tags ?? []), ...(later.trace.tags ?? [])])],
    };
  }
  return merged;
}
