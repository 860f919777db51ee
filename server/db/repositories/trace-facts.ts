import { sql, type Kysely } from 'kysely';
import type { Database } from '../tables';

export interface TraceFactsRow {
  /** Spans naming a model that have no cost: no price for the model, or no token counts. */
  unpricedSpans: number;
  /** Finished generations that reported no token counts (a stream without include_usage). */
  generationsWithoutUsage: number;
}

/** Per trace of a page, what its roll-up cannot say: how much of its cost and tokens is unknown. */
export async function selectTraceFacts(db: Kysely<Database>, projectId: string, traceIds: readonly string[]): Promise<Map<string, TraceFactsRow>> {
  const out = new Map<string, TraceFactsRow>();
  if (traceIds.length === 0) return out;
  const rows = await db
    .selectFrom('spans')
    .select([
      'spans.trace_id',
      sql<string>`count(*) filter (where spans.model is not null and spans.cost_usd is null)`.as('unpriced'),
      sql<string>`count(*) filter (where spans.kind = 'GENERATION' and spans.end_time is not null
        and spans.prompt_tokens is null and spans.completion_tokens is null)`.as('no_usage'),
    ])
    .where('spans.project_id', '=', projectId)
    .where('spans.trace_id', 'in', [...traceIds])
    .groupBy('spans.trace_id')
    .execute();
  for (const r of rows) out.set(r.trace_id, { unpricedSpans: Number(r.unpriced), generationsWithoutUsage: Number(r.no_usage) });
  return out;
}
