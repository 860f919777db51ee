import { CompiledQuery, type Kysely } from 'kysely';
import type { Database, NewSpanRow } from '../tables';
import { INGEST_WRITE } from './ingest-statement-marks';
import { textPerRowCount } from './statement-text-cache';
import { MERGE_TRACE_ATTRIBUTES, traceAttributeParams, traceAttributeValues, traceTotalsOf, type TraceAttributesRow } from './trace-roll-up';

/** A span the batch inserted (no stored copy met it), with its usage as the batch alone tells. */
export interface AppendedSpan {
  row: Pick<NewSpanRow, 'trace_id' | 'id' | 'parent_id' | 'name' | 'start_time' | 'end_time' | 'status' | 'total_tokens' | 'cost_usd'>;
  /** Its usage mark as written (usage-marks.ts). */
  marked: boolean;
  /** Usage is reported at it or below it in the batch. */
  carriesUsage: boolean;
}

/**
 * Rolls the batch's traces up by adding its spans to the stored totals, when that gives what
 * rollUpTraces' full read would (trace-roll-up.ts), and answers whether it did. It did not, and
 * changed nothing, unless all of these hold:
 *
 * - Every span of the batch was inserted: no stored copy met it (the caller checks that).
 * - No trace of the batch has a span whose parent is not a span of that trace
 *   (`traces.open_parent_links`, set by the full roll-up). A parent that arrives after its
 *   children may have to be marked for their usage, and only a read of the whole trace finds them.
 * - Every span of the batch names no parent, or one in its own trace: in the batch or stored.
 * - No stored usage mark changes: above each span that carries usage, the first stored ancestor
 *   with usage is marked already (every ancestor of a marked span is, by the full roll-up's rule).
 *
 * Then the spans' marks are the batch's own, no stored span's mark moves, and the totals are the
 * stored ones plus the batch's: counts and tokens add, bounds widen, costs add (float sums, as the
 * full roll-up's are, may differ from it in the last bits by the order of the additions). A root
 * span names the trace as in the full roll-up: only a trace without a name yet takes one, and a
 * trace has none only while none of its spans is a root, so the batch's earliest root is the
 * trace's.
 *
 * Cost: a primary-key lookup per span whose parent is not in the batch, and per stored ancestor
 * walked; never a read of the trace's other spans. A trace of 30,000 spans that grows by batches
 * costs what a new one does, where the full roll-up reads all of its spans on every batch.
 * Run it under lockTraces, after the upsert, in the same transaction.
 */
export async function appendToTraces(db: Kysely<Database>, projectId: string, traces: TraceAttributesRow[], spans: AppendedSpan[]): Promise<boolean> {
  if (traces.length === 0) return true;
  const column = <T>(pick: (span: AppendedSpan) => T) => spans.map(pick);
  const iso = (t: Date | string | null | undefined) => (t == null ? null : t instanceof Date ? t.toISOString() : t);
  const params = [
    projectId,
    ...traceAttributeParams(traces),
    column((s) => s.row.trace_id),
    column((s) => s.row.id),
    column((s) => s.row.parent_id ?? null),
    column((s) => s.row.name),
    column((s) => iso(s.row.start_time)),
    column((s) => iso(s.row.end_time)),
    column((s) => s.row.status ?? 'OK'),
    column((s) => s.row.total_tokens ?? null),
    column((s) => s.row.cost_usd ?? null),
    column((s) => s.marked),
    column((s) => s.carriesUsage),
  ];
  const result = await db.executeQuery<{ applied: boolean }>(CompiledQuery.raw(appendText(traces.length), params));
  return result.rows[0]?.applied === true;
}

// The text depends only on the trace count (statement-text-cache.ts).
const appendText = textPerRowCount(32, (traceCount) => {
  const a = 2 + traceCount * 6; // the first span array's parameter
  const arrays = ['text', 'text', 'text', 'text', 'timestamptz', 'timestamptz', 'text', 'integer', 'double precision', 'boolean', 'boolean']
    .map((type, i) => `$${a + i}::${type}[]`)
    .join(', ');
  // Each check reads only what the batch points at: its spans' parents outside the batch, and the
  // stored ancestors above the ones that carry usage, by primary key (`limit 1` as in the full
  // roll-up, so the planner never turns a lookup into a scan). UNION ends the walk on a cycle.
  return `${INGEST_WRITE}
    with recursive v (id, name, user_id, session_id, tags, metadata) as (values ${traceAttributeValues(traceCount, 2)}),
    b (trace_id, id, parent_id, name, start_time, end_time, status, total_tokens, cost_usd, marked, carries_usage) as (
      select * from unnest(${arrays})
    ),
    -- Spans whose parent is not in the batch, with that parent as stored (if it is).
    outside as (
      select b.trace_id, b.carries_usage, b.parent_id, p.trace_id as parent_trace_id
      from b left join lateral (
        select s.trace_id from spans s where s.project_id = $1::uuid and s.id = b.parent_id limit 1
      ) p on true
      where b.parent_id is not null and not exists (select 1 from b inb where inb.id = b.parent_id)
    ),
    -- Stored ancestors above usage, up to and including the first that reports usage itself.
    above (id) as (
      select parent_id from outside where carries_usage
      union
      select up.parent_id from above
      cross join lateral (
        select s.parent_id, s.total_tokens from spans s where s.project_id = $1::uuid and s.id = above.id limit 1
      ) up
      where up.total_tokens is null and up.parent_id is not null
    ),
    ok as (
      select
        not exists (select 1 from traces t where t.project_id = $1::uuid and t.id in (select id from v) and t.open_parent_links)
        and not exists (select 1 from b inb join b p on p.id = inb.parent_id where p.trace_id <> inb.trace_id)
        and not exists (select 1 from outside where parent_trace_id is distinct from trace_id)
        and not exists (
          select 1 from above cross join lateral (
            select s.total_tokens, s.usage_in_descendants from spans s where s.project_id = $1::uuid and s.id = above.id limit 1
          ) s
          where s.total_tokens is not null and not s.usage_in_descendants
        ) as applies
    ),
    totals as (${traceTotalsOf('b')}),
    applied as (
      insert into traces as t (project_id, id, name, user_id, session_id, tags, metadata,
                               start_time, end_time, span_count, error_count, total_tokens, total_cost_usd, open_parent_links)
      select $1::uuid, v.id, coalesce(v.name, totals.root_name), v.user_id, v.session_id, v.tags, v.metadata,
             totals.start_time, totals.end_time, totals.span_count, totals.error_count, totals.total_tokens, totals.total_cost_usd,
             false
      from ok, v join totals on totals.trace_id = v.id
      where ok.applies
      order by v.id
      on conflict (project_id, id) do update set
        ${MERGE_TRACE_ATTRIBUTES},
        start_time = least(t.start_time, excluded.start_time),
        end_time = greatest(t.end_time, excluded.end_time),
        span_count = t.span_count + excluded.span_count,
        error_count = t.error_count + excluded.error_count,
        total_tokens = t.total_tokens + excluded.total_tokens,
        total_cost_usd = case when t.total_cost_usd is null then excluded.total_cost_usd
                              when excluded.total_cost_usd is null then t.total_cost_usd
                              else t.total_cost_usd + excluded.total_cost_usd end,
        updated_at = now()
      returning 1
    )
    select applies as applied from ok`;
});
