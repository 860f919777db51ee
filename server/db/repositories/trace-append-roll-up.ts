import { CompiledQuery, type Kysely } from 'kysely';
import { binaryArray, type ArrayElementType } from '../binary-arrays';
import type { Database, NewSpanRow } from '../tables';
import type { RowBinding } from './spans';
import { INGEST_WRITE } from './ingest-statement-marks';
import { textPerRowCount } from './statement-text-cache';
import { MERGE_TRACE_ATTRIBUTES, PENDING_PARENTS_KEPT, traceAttributeParams, traceAttributeValues, traceTotalsOf, writePendingParents, type TraceAttributesRow } from './trace-roll-up';

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
 * false the caller must roll the batch's traces up in full, which sets right whatever this
 * statement wrote. It answers true only when all of these hold:
 *
 * - Every span of the batch was inserted: no stored copy met it (the caller checks that).
 * - Each stored trace of the batch knows the parents it waits for (trace_pending_parents, kept
 *   by both roll-ups): the ids its spans name as parent that are not its spans, each with whether
 *   usage is reported below it. Not known (traces.pending_parents_unknown) for a trace that was
 *   open when the table was made, and for one that waits for more than PENDING_PARENTS_KEPT.
 * - No span of the batch names a parent that is in the batch but in another trace (the caller
 *   checks that: usageWithinBatch).
 * - No stored usage mark changes: above each span that carries usage, the first stored ancestor
 *   with usage is marked already (every ancestor of a marked span is, by the full roll-up's rule).
 *
 * Then the totals are the stored ones plus the batch's: counts and tokens add, bounds widen, costs
 * add (float sums, as the full roll-up's are, may differ from it in the last bits by the order of
 * the additions). The batch's marks are its own (usage-marks.ts), except where a parent the trace
 * waited for arrives to children with usage: it and its ancestors in the batch have usage below
 * them, so those that report usage themselves are marked here and not counted. An OpenTelemetry
 * exporter sends a span when it ends, so its parents always come after their children: this is
 * the case that lets such a trace be added to while it is open. A root span names the trace as
 * in the full roll-up: only a trace without a name yet takes one, and a trace has none only while
 * none of its spans is a root, so the batch's earliest root is the trace's.
 *
 * Cost: a primary-key lookup per trace of the batch, per span whose parent is not in the batch,
 * and per stored ancestor walked; never a read of the trace's other spans. A trace of
 * 30,000 spans that grows by batches costs what a new one does, where the full roll-up reads all
 * of its spans on every batch.
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
  const run = async (text: string) =>
    (await db.executeQuery<{ applied: boolean; needs_pending: boolean }>(CompiledQuery.raw(text, params))).rows[0];
  // Most batches touch no trace that waits for a parent and name no parent that is not there:
  // the statement without the pending parents' part, whose plan Postgres keeps. With that part,
  // it estimates the pending parents of every trace at hundreds of rows and plans the statement
  // anew on every call (about 1 ms of database CPU a batch in bench:ingest), so it is sent only
  // when the first finds a trace that waits (and then has written nothing).
  let answer = await run(appendText(traces.length));
  if (answer && !answer.applied && answer.needs_pending) answer = await run(appendWithPendingText(traces.length));
  return answer?.applied === true;
}

// The texts depend only on the trace count (statement-text-cache.ts).
const appendText = textPerRowCount(32, (traceCount) => appendStatement(traceCount, false));
const appendWithPendingText = textPerRowCount(32, (traceCount) => appendStatement(traceCount, true));

// The batch's spans with the marks it was written with (usage-marks.ts): no parent the traces
// waited for arrives in this statement's batch (OK_WITHOUT_PENDING checks).
const BATCH_MARKS = `bm as (
      select trace_id, id, parent_id, name, start_time, end_time, status, total_tokens, cost_usd,
             marked as marked_as_written, marked, carries_usage
      from b
    ),`;

const USAGE_BELOW_PENDING_PARENTS = `-- Spans of the batch with stored usage below them: a parent the trace waited for, whose stored
    -- children report usage at or below them, and its ancestors in the batch.
    usage_below (trace_id, id) as (
      select b.trace_id, b.id from b join pend on pend.trace_id = b.trace_id
      where (pend.pending_parents ->> b.id)::boolean
      union
      select p.trace_id, p.id from usage_below u
      join b c on c.trace_id = u.trace_id and c.id = u.id
      join b p on p.trace_id = c.trace_id and p.id = c.parent_id
    ),
    -- The batch's spans with their marks and usage, the stored usage below them included. A span
    -- with usage of its own is marked when usage is reported below it.
    bm as (
      select b.trace_id, b.id, b.parent_id, b.name, b.start_time, b.end_time, b.status, b.total_tokens, b.cost_usd,
             b.marked as marked_as_written,
             b.marked or (b.total_tokens is not null and u.id is not null) as marked,
             b.carries_usage or u.id is not null as carries_usage
      from b left join usage_below u on u.trace_id = b.trace_id and u.id = b.id
    ),`;

// Without the pending parents' part: it applies only where no trace of the batch waits for a
// parent and no span names one that is not stored in its trace; `waits` says the other part is
// needed. The chain from a span with usage can leave the stored spans of its trace only at a
// parent the trace waits for, so a trace without pending parents is never reached that way.
const OK_WITHOUT_PENDING = `ok as (
      select basic, waits, basic and not waits as applies from (
        select
          not exists (select 1 from above_stored where total_tokens is not null and not usage_in_descendants) as basic,
          exists (select 1 from pend where has_row)
          or exists (select 1 from outside where parent_trace_id is distinct from trace_id) as waits
      ) checks
    ),`;

const PENDING_PARTS = `-- The parents each trace waits for after the batch: those it waited for that did not arrive in
    -- it, those the batch's spans name that are not stored in their trace (not yet, or in
    -- another trace: marks end at the trace's edge, so such a parent is one that never arrives),
    -- and those a chain with usage reaches.
    pending_after (trace_id, k, usage_below) as (
      select pend.trace_id, e.key, e.value::boolean
      from pend cross join lateral jsonb_each_text(pend.pending_parents) e
      where not exists (select 1 from b where b.trace_id = pend.trace_id and b.id = e.key)
      union all
      select trace_id, parent_id, carries_usage from outside where parent_trace_id is distinct from trace_id
      union all
      select trace_id, id, true from above_stored where total_tokens is null and usage_in_descendants is null
    ),
    -- A trace that would wait for more parents than are kept is left to the full roll-up, which
    -- says it no longer knows them (traces.pending_parents_unknown).
    ok as (
      select
        not exists (select 1 from above_stored where total_tokens is not null and not usage_in_descendants)
        and not exists (select 1 from pending_after group by trace_id having count(distinct k) > ${PENDING_PARENTS_KEPT}) as applies
    ),
    -- Spans of the batch marked for usage stored below them (the upsert wrote them unmarked).
    remarked as (
      update spans s set usage_in_descendants = true
      from ok, bm
      where ok.applies and bm.marked and not bm.marked_as_written
        and s.project_id = $1::uuid and s.id = bm.id
    ),`;

/** The addition; `withPending` adds what a trace that waits for parents needs (else it declines when one does). */
function appendStatement(traceCount: number, withPending: boolean): string {
  const a = 2 + traceCount * 6; // the first span array's parameter
  const arrays = SPAN_ARRAYS.map(([type], i) => `$${a + i}::${type}[]`).join(', ');
  // Each check reads only what the batch points at: its spans' parents outside the batch, and the
  // stored ancestors above the ones that carry usage, each by primary key (`limit 1` as in the full
  // roll-up: the plan is kept, and a generic plan otherwise joins instead of looking up). UNION
  // ends the walk on a cycle. A parent in the batch but in another trace is found before the
  // statement is sent (usageWithinBatch).
  //
  // The pending parents are looked up by the primary key of their own table: every index of
  // traces ends in the trace id, and a kept plan made while traces was small looked a trace row up
  // through traces_project_duration_idx (all of a project's traces) instead of its primary key.
  return `${INGEST_WRITE}
    with recursive v (id, name, user_id, session_id, tags, metadata) as (values ${traceAttributeValues(traceCount, 2)}),
    b (trace_id, id, parent_id, name, start_time, end_time, status, total_tokens, cost_usd, marked, carries_usage) as (
      select * from unnest(${arrays})
    ),
    -- The parents each trace waits for: no row, none (unless the trace row says they are not
    -- known: then the traces upsert below declines).
    pend as (
      select v.id as trace_id, p.parents as pending_parents, p.trace_id is not null as has_row
      from v left join lateral (
        select tp.trace_id, tp.parents from trace_pending_parents tp where tp.project_id = $1::uuid and tp.trace_id = v.id limit 1
      ) p on true
    ),
    ${withPending ? USAGE_BELOW_PENDING_PARENTS : BATCH_MARKS}
    -- Spans whose parent is not in the batch, with that parent's trace as stored (null: not stored).
    outside as (
      select bm.trace_id, bm.carries_usage, bm.parent_id, p.trace_id as parent_trace_id
      from bm left join lateral (
        select s.trace_id from spans s where s.project_id = $1::uuid and s.id = bm.parent_id limit 1
      ) p on true
      where bm.parent_id is not null and not exists (select 1 from b inb where inb.id = bm.parent_id)
    ),
    -- Stored ancestors above usage, in the same trace, up to and including the first that reports
    -- usage itself; the last id of a chain that leaves the stored spans of the trace is a parent
    -- the trace waits for.
    above (trace_id, id) as (
      select trace_id, parent_id from outside where carries_usage
      union
      select above.trace_id, up.parent_id from above
      cross join lateral (
        select s.trace_id, s.parent_id, s.total_tokens from spans s where s.project_id = $1::uuid and s.id = above.id limit 1
      ) up
      where up.trace_id = above.trace_id and up.total_tokens is null and up.parent_id is not null
    ),
    above_stored as (
      select above.trace_id, above.id, s.total_tokens, s.usage_in_descendants from above
      left join lateral (
        select s.trace_id, s.total_tokens, s.usage_in_descendants from spans s where s.project_id = $1::uuid and s.id = above.id limit 1
      ) s on s.trace_id = above.trace_id
    ),
    ${withPending ? PENDING_PARTS : OK_WITHOUT_PENDING}
    totals as (${traceTotalsOf('bm')}),
    ${withPending ? writePendingParents('pending', '(select trace_id from pend where has_row union select trace_id from pending_after)', 'pending_after', '(select applies from ok)') + ',' : ''}
    applied as (
      insert into traces as t (project_id, id, name, user_id, session_id, tags, metadata,
                               start_time, end_time, span_count, error_count, total_tokens, total_cost_usd, pending_parents_unknown)
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
      -- A trace whose pending parents are not known is left as it is, through the primary key that
      -- ON CONFLICT uses (a lookup of the trace row in a kept plan may take another index: see
      -- the table's migration). The statement then answers false, and the full roll-up that
      -- follows recomputes every trace of the batch, its marks and pending parents, over whatever
      -- this statement wrote for the others.
      where not t.pending_parents_unknown
      returning 1
    )
    select applies and (select count(*) from applied) = ${traceCount} as applied, ${withPending ? 'false' : 'basic and waits'} as needs_pending from ok`;
}
