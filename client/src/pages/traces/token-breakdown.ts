// The parts of a trace's tokens that are billed or spent differently: cache reads and writes
// (parts of the input) and reasoning (part of the output). Summed like the trace's own totals:
// a span whose usage a span below it also reports (an agent span over its model calls) is left
// out, so nothing counts twice.

export interface UsageParts {
  id: string;
  parentId?: string | null;
  totalTokens?: number | null;
  cacheReadTokens?: number | null;
  cacheWriteTokens?: number | null;
  reasoningTokens?: number | null;
}

export interface TokenBreakdown {
  /** Null when no counted span reported the part: unknown, not 0. */
  cacheReadTokens: number | null;
  cacheWriteTokens: number | null;
  reasoningTokens: number | null;
}

export function tokenBreakdown(spans: readonly UsageParts[]): TokenBreakdown {
  const byId = new Map(spans.map((s) => [s.id, s]));
  // Every ancestor of a span with token counts reports usage that is counted below it.
  const countedBelow = new Set<string>();
  for (const span of spans) {
    if (span.totalTokens === null || span.totalTokens === undefined) continue;
    let parent = span.parentId ?? null;
    // The walk stops at a cycle, which a client could send.
    while (parent !== null && !countedBelow.has(parent)) {
      countedBelow.add(parent);
      parent = byId.get(parent)?.parentId ?? null;
    }
  }
  const sum = (pick: (s: UsageParts) => number | null | undefined): number | null => {
    let total: number | null = null;
    for (const span of spans) {
      const value = pick(span);
      if (value === null || value === undefined || countedBelow.has(span.id)) continue;
      total = (total ?? 0) + value;
    }
    return total;
  };
  return {
    cacheReadTokens: sum((s) => s.cacheReadTokens),
    cacheWriteTokens: sum((s) => s.cacheWriteTokens),
    reasoningTokens: sum((s) => s.reasoningTokens),
  };
}
