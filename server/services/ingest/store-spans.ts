import type { AppDeps } from '../../context';
import { lockTraces, rowBindingFor, updateSpanCosts, upsertSpans, type StoredSpanFacts } from '../../db/repositories/spans';
import { appendToTraces } from '../../db/repositories/trace-append-roll-up';
import { rollUpTraces } from '../../db/repositories/trace-roll-up';
import type { NewSpanRow } from '../../db/tables';
import type { ProjectPricer } from '../../prices/price-book';
import type { SpanModel } from '../models';
import type { PricedSpan } from './price-spans';
import { collectTraceAttributes } from './trace-attributes';
import { usageWithinBatch } from './usage-marks';

// The store stage: one transaction per request.
//   1. one multi-row span upsert: a stored span is completed, never doubled; usage marks that
//      the batch alone shows are written with the rows (usage-marks.ts). The same statement first
//      locks the batch's traces (advisory locks in key order): concurrent batches of one trace
//      would otherwise each roll the trace up from a snapshot without the other's spans
//   2. re-price spans whose model and tokens came in different copies
//   3. one statement rolls the traces up: when every span of the batch is new, usually by adding
//      the batch to the stored totals (trace-append-roll-up.ts); otherwise, or where that declines,
//      from every stored span of the traces (trace-roll-up.ts): usage that a deeper span also
//      reports is marked (counted once, there), and the trace rows get their attributes merged and
//      their totals recomputed
// The models are corrected to what was stored, for the live tail.

export class StoreFailure extends Error {
  override name = 'StoreFailure';
  constructor(override readonly cause: unknown) {
    super('The spans could not be stored.');
  }
}

/** `rows[i]` is the encoded `spans[i]`. */
export async function storeSpans(deps: AppDeps, projectId: string, spans: PricedSpan[], rows: NewSpanRow[], pricer: ProjectPricer): Promise<void> {
  try {
    await deps.db.transaction().execute(async (trx) => {
      const batchTraces = [...new Set(spans.map(({ span }) => span.traceId))];
      // Only the spans that met a stored copy: every other span was inserted exactly as sent, which
      // the code below would leave as it is.
      const usage = usageWithinBatch(rows);
      const stored = await upsertSpans(trx, rows, { projectId, traceIds: batchTraces }, usage.marks, rowBindingFor(deps.dbDialect));
      // A stored span keeps its trace even when a copy names another one, so the copy's trace
      // attributes go to the stored trace; otherwise an empty trace row would be left behind.
      const storedTraceOf = new Map(stored.map((row) => [row.id, row.trace_id]));
      const traceAttributes = collectTraceAttributes(
        spans.map(({ span }) => ({ traceId: storedTraceOf.get(span.id) ?? span.traceId, trace: span.trace })),
      );
      const modelsById = new Map(spans.map((s) => [s.model.id, s.model]));
      const repriced: { id: string; costUsd: number | null; priceRef: string | null }[] = [];
      for (const row of stored) {
        // Priced from the copy's own fields by the price stage; a copy that completes a stored span
        // (tokens now, the model earlier) is priced again from the merged row. A new span, or a
        // copy whose pricing facts the merge left as they were, keeps the price stage's figures.
        const model = modelsById.get(row.id);
        const { costUsd, priceRef } =
          model && pricedAsStored(model, row)
            ? { costUsd: model.costUsd, priceRef: model.priceRef ?? null }
            : row.model
              ? pricer.price(row.model, row.start_time, {
                  promptTokens: row.prompt_tokens,
                  completionTokens: row.completion_tokens,
                  cacheReadTokens: row.cache_read_tokens,
                  cacheWriteTokens: row.cache_write_tokens,
                })
              : { costUsd: null, priceRef: null };
        if (!sameCost(costUsd, row.cost_usd) || priceRef !== row.price_ref) repriced.push({ id: row.id, costUsd, priceRef });
        if (model) {
          model.traceId = row.trace_id;
          model.totalTokens = row.total_tokens === null ? null : Number(row.total_tokens);
          model.costUsd = costUsd;
          model.priceRef = priceRef;
        }
      }
      await updateSpanCosts(trx, projectId, repriced);
      // A stored span that names another trace than its copy did: lock that trace too. Out of key
      // order, so in the rare clash Postgres reports a deadlock and the batch fails (retried by
      // the sender) rather than storing stale totals.
      const lateTraces = traceAttributes.map((t) => t.id).filter((id) => !batchTraces.includes(id));
      await lockTraces(trx, projectId, lateTraces);
      // Every span new: the traces may take the batch as an addition (trace-append-roll-up.ts).
      // Where only a read of the whole trace is right it answers false, and the full roll-up
      // recomputes every trace of the batch.
      const appended =
        stored.length === 0 &&
        (await appendToTraces(trx, projectId, traceAttributes, { rows, ...usage }, rowBindingFor(deps.dbDialect)));
      if (!appended) await rollUpTraces(trx, projectId, traceAttributes);
    });
  } catch (err) {
    throw new StoreFailure(err);
  }
}

/** Whether the stored row holds exactly the facts the copy was priced from. */
function pricedAsStored(model: SpanModel, row: StoredSpanFacts): boolean {
  return (
    row.model === model.model &&
    row.prompt_tokens === model.promptTokens &&
    row.completion_tokens === model.completionTokens &&
    row.cache_read_tokens === model.cacheReadTokens &&
    row.cache_write_tokens === model.cacheWriteTokens &&
    new Date(row.start_time).getTime() === model.startTime.getTime()
  );
}

function sameCost(a: number | null, b: number | null): boolean {
  if (a === null || b === null) return a === b;
  return Math.abs(a - Number(b)) < 1e-12;
}
