import type { TraceAttributesRow } from '../../db/repositories/trace-roll-up';
import type { SpanInputData } from './validate-span';

/**
 * One attribute row per trace touched by the batch, in trace id order (the lock order). Only
 * explicit names are set here: a trace without one takes its root span's name in rollUpTraces, so
 * a root span arriving in a later batch cannot overwrite a name the client chose.
 */
export function collectTraceAttributes(spans: Pick<SpanInputData, 'traceId' | 'trace'>[]): TraceAttributesRow[] {
  const byTrace = new Map<string, TraceAttributesRow & { merged: Record<string, unknown> | null }>();
  for (const span of spans) {
    let row = byTrace.get(span.traceId);
    if (!row) {
      row = { id: span.traceId, name: null, userId: null, sessionId: null, tags: [], metadata: null, merged: null };
      byTrace.set(span.traceId, row);
    }
    const attrs = span.trace;
    if (attrs?.name) row.name = attrs.name;
    if (attrs?.userId) row.userId = attrs.userId;
    if (attrs?.sessionId) row.sessionId = attrs.sessionId;
    if (attrs?.tags) row.tags = [...new Set([...row.tags, ...attrs.tags])];
    if (attrs?.metadata != null) row.merged = { ...row.merged, ...(attrs.metadata as Record<string, unknown>) };
  }
  return [...byTrace.values()]
    .map(({ merged, ...row }) => ({ ...row, metadata: merged === null ? null : JSON.stringify(merged) }))
    .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}
