import { CompiledQuery, type Kysely } from 'kysely';
import { binaryArray, type ArrayElementType } from '../binary-arrays';
import type { Database, NewSpanRow } from '../tables';
import type { RowBinding } from './spans';
import { INGEST_WRITE } from './ingest-statement-marks';
import { textPerRowCount } from './statement-text-cache';
import { MERGE_TRACE_ATTRIBUTES, traceAttributeParams, traceAttributeValues, traceTotalsOf, type TraceAttributesRow } from './trace-roll-up';

/** The batch's spans, all inserted (no stored copy met one), and their usage as the batch alone tells. */
export interface AppendedSpans {
  rows: readonly Pick<NewSpanRow, 'trace_id' | 'id' | 'parent_id' | 'name' | 'start_time' | 'end_time' | 'status' | 'total_tokens' | 'cost_usd'>[];
  /** `marks[i]`: `rows[i]`'s usage mark as written (usage-marks.ts). */
  marks: readonly boolean[];
  /** `carriesUsage[i]`: usage is reported at `rows[i]` or below it in the batch. */
  carriesUsage: readonly boolean[];
  /** A span names a parent of the batch that is in another trace (a link the addition does not take). */
  parentInAnotherTrace: boolean;
}

// The span arrays the statement takes, in order, with their element types.
const SPAN_ARRAYS: [ArrayElementType, (spans: AppendedSpans, i: number) => unknown][] = [
  ['text', (s, i) => s.rows[i]!.trace_id],
  ['text', (s, i) => s.rows[i]!.id],
  ['text', (s, i) => s.rows[i]!.parent_id ?? null],
  ['text', (s, i) => s.rows[i]!.name],
  ['timestamp with time zone', (s, i) => s.rows[i]!.start_time],
  ['timestamp with time zone', (s, i) => s.rows[i]!.end_time ?? null],
  ['text', (s, i) => s.rows[i]!.status ?? 'OK'],
  ['integer', (s, i) => s.rows[i]!.total_tokens ?? null],
  ['double precision', (s, i) => s.rows[i]!.cost_usd ?? null],
  ['boolean', (s, i) => s.marks[i] ?? false],
  ['boolean', (s, i) => s.carriesUsage[i] ?? false],
];

/**
 * Rolls the batch's traces up by adding its spans to the stored totals, when that gives what
 * rollUpTraces' full read would (trace-roll-up.ts), and answers whether it did. When it answers
 * false the caller must roll the batch's traces up in full, which sets right whatever this left
 * (it may have added the batch to some traces: see the statement). It answers true only when all
 * of these hold:
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
export async function appendToTraces(
  db: Kysely<Database>,
  projectId: string,
  traces: TraceAttributesRow[],
  spans: AppendedSpans,
  binding: RowBinding = 'values',
): Promise<boolean> {
  if (traces.length === 0) return true;
  if (spans.parentInAnotherTrace) return false;
  // Binary arrays on node-postgres, as the upsert binds its rows; PGlite takes JS arrays, as text.
  const arrays = SPAN_ARRAYS.map(([type, value]) => {
    const values = spans.rows.map((_, i) => {
      const v = value(spans, i);
      return binding === 'values' && v instanceof Date ? v.toISOString() : v;
    });
    return binding === 'arrays' ? binaryArray(type, values) : values;
  });
  const params = [projectId, ...traceAttributeParams(traces), ...arrays];
  const result = await db.executeQuery<{ applied: boolean }>(CompiledQuery.raw(appendText(traces.length), params));
  return result.rows[0]?.applied === true;
}

// The text depends only on the trace count (statement-text-cache.ts).
const appendText = textPerRowCount(32, (traceCount) => {
  const a = 2 + traceCount * 6; // the first span array's parameter
  const arrays = SPAN_ARRAYS.map(([type], i) => `$${a + i}::${type}[]`).join(', ');
  // Each check reads only what the batch points at: its spans' parents outside the batch, and the
  // stored ancestors above the ones that carry usage, each by primary key (`limit 1` as in the full
  // roll-up: the plan is kept, and a generic plan otherwise joins instead of looking up). UNION
  // ends the walk on a cycle. A parent in the batch but in another trace is found before the
  // statement is sent (usageWithinBatch).
  //
  // A stored trace with an open parent link is not read beforehand: a lookup by id in a kept plan
  // took traces_project_duration_idx, which holds the id too but third, so at scale it would read
  // all of a project's traces. Its row is left as it is by the upsert's own WHERE, through the
  // primary key that ON CONFLICT uses, and the statement answers false because fewer traces than
  // the batch's took the addition. The caller then rolls every trace of the batch up in full,
  // which recomputes the totals the others just took and merges the attributes again, to the
  // same values.
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
        not exists (select 1 from outside where parent_trace_id is distinct from trace_id)
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
      where not t.open_parent_links
      returning 1
    )
    select applies and (select count(*) from applied) = ${traceCount} as applied from ok`;
});
