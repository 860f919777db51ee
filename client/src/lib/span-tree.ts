// The waterfall's rows: spans in tree order (each parent before its children, siblings by start
// time), with their depth and their bar's position relative to the whole trace.

export interface WaterfallSpan {
  id: string;
  parentId?: string | null;
  startTime: string;
  endTime?: string | null;
}

export interface WaterfallRow<S extends WaterfallSpan> {
  span: S;
  depth: number;
  /** Percent of the trace's duration from its start to this span's start. */
  offsetPct: number;
  /** Percent of the trace's duration this span lasted; at least a sliver so it stays visible. */
  widthPct: number;
  durationMs: number | null;
}

const MIN_WIDTH_PCT = 0.5;

export function buildWaterfall<S extends WaterfallSpan>(spans: readonly S[]): { rows: WaterfallRow<S>[]; totalMs: number } {
  if (spans.length === 0) return { rows: [], totalMs: 0 };
  const start = Math.min(...spans.map((s) => Date.parse(s.startTime)));
  const end = Math.max(...spans.map((s) => Date.parse(s.endTime ?? s.startTime)));
  const totalMs = Math.max(end - start, 0);
  const ids = new Set(spans.map((s) => s.id));
  const children = new Map<string | null, S[]>();
  for (const s of spans) {
    // A span whose parent is not in the trace (not ingested yet, or lost) shows at the top level.
    const parent = s.parentId && ids.has(s.parentId) && s.parentId !== s.id ? s.parentId : null;
    const list = children.get(parent) ?? [];
    list.push(s);
    children.set(parent, list);
  }
  for (const list of children.values()) list.sort((a, b) => Date.parse(a.startTime) - Date.parse(b.startTime) || a.id.localeCompare(b.id));

  const rows: WaterfallRow<S>[] = [];
  const visited = new Set<string>();
  const visit = (parent: string | null, depth: number) => {
    for (const span of children.get(parent) ?? []) {
      if (visited.has(span.id)) continue; // a cycle in bad data must not loop forever
      visited.add(span.id);
      const s = Date.parse(span.startTime);
      const e = span.endTime ? Date.parse(span.endTime) : null;
      const offsetPct = totalMs > 0 ? ((s - start) / totalMs) * 100 : 0;
      const rawWidth = totalMs > 0 && e !== null ? ((e - s) / totalMs) * 100 : 100;
      rows.push({
        span,
        depth,
        offsetPct,
        widthPct: Math.min(Math.max(rawWidth, MIN_WIDTH_PCT), 100 - offsetPct || MIN_WIDTH_PCT),
        durationMs: e === null ? null : e - s,
      });
      visit(span.id, depth + 1);
    }
  };
  visit(null, 0);
  // Spans only reachable through a cycle: list them flat rather than drop them.
  for (const span of spans) if (!visited.has(span.id)) rows.push({ span, depth: 0, offsetPct: 0, widthPct: 100, durationMs: null });
  return { rows, totalMs };
}
