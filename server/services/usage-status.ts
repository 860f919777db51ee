import type { RequestContext } from '../context';
import { selectTraceFacts, type TraceFactsRow } from '../db/repositories/trace-facts';
import type { SpanModel } from './models';
import { batchedPerRequest } from './request-batch';

// Unknown is not zero. A generation streamed without `include_usage` reports no token counts:
// its tokens and cost are unknown, and every view says so ("usage not reported") rather than
// showing 0 tokens and $0.

export type UsageStatus = 'REPORTED' | 'NOT_REPORTED' | 'PENDING' | 'NOT_APPLICABLE';

export function usageStatusOf(span: Pick<SpanModel, 'kind' | 'promptTokens' | 'completionTokens' | 'endTime'>): UsageStatus {
  if (span.promptTokens !== null || span.completionTokens !== null) return 'REPORTED';
  if (span.kind !== 'GENERATION') return 'NOT_APPLICABLE';
  return span.endTime === null ? 'PENDING' : 'NOT_REPORTED';
}

const NO_FACTS: TraceFactsRow = { unpricedSpans: 0, generationsWithoutUsage: 0 };

/** A trace's unknowns, batched for a whole page of the trace list. */
export function getTraceFacts(ctx: RequestContext, projectId: string, traceId: string): Promise<TraceFactsRow> {
  return batchedPerRequest<string, TraceFactsRow>(ctx, `trace-facts:${projectId}`, (ids) => selectTraceFacts(ctx.deps.db, projectId, ids), NO_FACTS)(traceId);
}
