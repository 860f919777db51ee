import { sql, type Kysely } from 'kysely';
import type { Database } from '../tables';

type Db = Kysely<Database>;

export interface UnpricedSpanRow {
  id: string;
  trace_id: string;
  model: string;
  prompt_tokens: number | null;
  completion_tokens: number | null;
  cache_read_tokens: number | null;
  cache_write_tokens: number | null;
  start_time: Date;
}

/** Spans of `model` with token counts and no cost, oldest first. */
export async function findUnpricedSpans(db: Db, projectId: string, model: string, limit: number): Promise<UnpricedSpanRow[]> {
  const rows = await db
    .selectFrom('spans')
    .select(['id', 'trace_id', 'model', 'prompt_tokens', 'completion_tokens', 'cache_read_tokens', 'cache_write_tokens', 'start_time'])
    .where('project_id', '=', projectId)
    .where('model', '=', model)
    .where('cost_usd', 'is', null)
    .where((eb) => eb.or([eb('prompt_tokens', 'is not', null), eb('completion_tokens', 'is not', null)]))
    .orderBy('start_time')
    .orderBy('id')
    .limit(limit)
    .execute();
  return rows as UnpricedSpanRow[];
}

/** Fills in costs that were unknown, with the price that gave them; a span that has a cost meanwhile keeps it. */
export async function fillSpanCosts(db: Db, projectId: string, costs: { id: string; costUsd: number; priceRef: string }[]): Promise<number> {
  let updated = 0;
  for (let i = 0; i < costs.length; i += 1_000) {
    const chunk = costs.slice(i, i + 1_000);
    const values = sql.join(chunk.map((c) => sql`(${c.id}::text, ${c.costUsd}::double precision, ${c.priceRef}::text)`));
    const result = await sql`
      update spans set cost_usd = v.cost_usd, price_ref = v.price_ref, updated_at = now()
      from (values ${values}) as v(id, cost_usd, price_ref)
      where spans.project_id = ${projectId} and spans.id = v.id and spans.cost_usd is null`.execute(db);
    updated += Number(result.numAffectedRows ?? 0);
  }
  return updated;
}

/**
 * Recomputes the cost roll-up of traces from their spans as ingest does, after costs were filled
 * in: a span whose usage a span below it also reports is not counted (trace-roll-up.ts).
 */
export async function refreshTraceCosts(db: Db, projectId: string, traceIds: string[]): Promise<void> {
  if (traceIds.length === 0) return;
  await sql`
    update traces t set total_cost_usd = s.total, updated_at = now()
    from (
      select trace_id, sum(cost_usd) filter (where not usage_in_descendants) as total
      from spans where project_id = ${projectId} and trace_id = any(${traceIds}::text[]) group by trace_id
    ) s
    where t.project_id = ${projectId} and t.id = s.trace_id`.execute(db);
}

/** The price each span was costed with, for Span.price. */
export async function findSpanPriceRefs(db: Db, projectId: string, spanIds: readonly string[]): Promise<Map<string, string | null>> {
  if (spanIds.length === 0) return new Map();
  const rows = await db.selectFrom('spans').select(['id', 'price_ref']).where('project_id', '=', projectId).where('id', 'in', [...spanIds]).execute();
  return new Map(rows.map((r) => [r.id, r.price_ref]));
}
