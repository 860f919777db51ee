import type { RequestContext } from '../context';
import { fillSpanCosts, findUnpricedSpans, refreshTraceCosts } from '../db/repositories/span-pricing';
import { lockTraces } from '../db/repositories/spans';
import { badInput } from '../errors';
import { recordAudit, runAudited } from './audit-log';

// Re-pricing is explicit and only fills gaps: after a price is set for a model that had none, an
// admin may price the spans of that model whose cost was unknown. A cost already recorded is
// never changed, so totals people saw stay what they were.

export const MAX_SPANS_PER_FILL = 20_000;

export interface FillResult {
  projectId: string;
  model: string;
  /** Spans that got a cost. */
  spans: number;
  /** Traces whose total cost was recomputed. */
  traces: number;
  /** Unpriced spans with usage that no price covers at their time (e.g. before the price's date). */
  stillUnpriced: number;
  /** More unpriced spans remain than one call handles: call again. */
  remaining: boolean;
}

export async function fillUnpricedSpans(ctx: RequestContext, projectId: string, model: string): Promise<FillResult> {
  if (model.length === 0 || model.length > 200) throw badInput('A model name needs 1 to 200 characters.', { field: 'model' });
  const { deps } = ctx;
  // The newest prices, not a cached copy from before the admin set one.
  deps.prices.invalidateProject(projectId);
  const pricer = await deps.prices.forProject(projectId);
  return runAudited(deps, async (trx) => {
    const rows = await findUnpricedSpans(trx, projectId, model, MAX_SPANS_PER_FILL + 1);
    const batch = rows.slice(0, MAX_SPANS_PER_FILL);
    const costs: { id: string; costUsd: number; priceRef: string }[] = [];
    const traces = new Set<string>();
    for (const row of batch) {
      const priced = pricer.price(row.model, new Date(row.start_time), {
        promptTokens: row.prompt_tokens,
        completionTokens: row.completion_tokens,
        cacheReadTokens: row.cache_read_tokens,
        cacheWriteTokens: row.cache_write_tokens,
      });
      if (priced.costUsd === null || priced.priceRef === null) continue;
      costs.push({ id: row.id, costUsd: priced.costUsd, priceRef: priced.priceRef });
      traces.add(row.trace_id);
    }
    const traceIds = [...traces].sort();
    // Ingest's lock per trace: a batch landing meanwhile cannot roll a trace up from stale costs.
    await lockTraces(trx, projectId, traceIds);
    const filled = await fillSpanCosts(trx, projectId, costs);
    await refreshTraceCosts(trx, projectId, traceIds);
    const result: FillResult = {
      projectId,
      model,
      spans: filled,
      traces: traceIds.length,
      stillUnpriced: batch.length - costs.length,
      remaining: rows.length > MAX_SPANS_PER_FILL,
    };
    if (filled > 0) {
      await recordAudit(trx, ctx, {
        projectId,
        action: 'model_price.fill_unpriced',
        targetType: 'model',
        targetId: null,
        details: { model, spans: filled, traces: traceIds.length, priceRefs: [...new Set(costs.map((c) => c.priceRef))] },
      });
    }
    return result;
  });
}
