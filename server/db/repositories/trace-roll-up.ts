import { CompiledQuery, type Kysely } from 'kysely';
import type { Database } from '../tables';
import { INGEST_TRACE_READ } from './ingest-statement-marks';
import { textPerRowCount } from './statement-text-cache';

/** A trace's attributes as one batch sent them; its project is rollUpTraces' own argument. */
export interface TraceAttributesRow {
  id: string;
  name: string | null;
  userId: string | null;
  sessionId: string | null;
  tags: string[];
  metadata: string | null;
}

/**
 * Rolls the batch's traces up from their stored spans, in one statement (one round trip, one plan,
 * and each trace's spans read once):
 *
 * 1. **Usage marks.** Each span whose usage a span below it also reports (an agent span and its
 *    generations: the Vercel AI SDK reports the same tokens on both) is marked, so totals and usage
 *    charts count those tokens once, at the deepest spans that report them. Recomputed from every
 *    stored span of the traces, so a child that arrives after its parent still flips the parent.
 * 2. **Trace rows.** Created or updated: attributes merged in (later values win, tags are a union,
 *    metadata is merged); bounds and totals recomputed from the stored spans, so retries and
 *    out-of-order batches converge. An explicit trace name wins; otherwise the earliest root span
 *    names the trace, whichever batch it arrived in, and a name once taken from a root span stays
 *    until an explicit one comes.
 * 3. **Pending parents.** The ids that spans of the trace name as parent but that are not spans of
 *    the trace, each with whether usage is reported below it in the trace (trace_pending_parents):
 *    what a batch rolled up by addition needs to know of the trace (trace-append-roll-up.ts). Past
 *    PENDING_PARENTS_KEPT, not kept: traces.pending_parents_unknown, and the next batch is read in
 *    full again.
 *
 * Marks stay inside a trace: a parent in another trace ends the chain, so a trace's totals depend
 * on its own spans only, not on which traces share its batch.
 *
 * Every part of one statement reads the same snapshot, so the totals do not read the marks back
 * from the table: they use the marks this statement computes, which is what the table holds once it
 * has run. Run it after the spans are written and under lockTraces, so it sees every committed span
 * of the traces.
 */
export async function rollUpTraces(db: Kysely<Database>, projectId: string, rows: TraceAttributesRow[]): Promise<void> {
  if (rows.length === 0) return;
  await db.executeQuery(CompiledQuery.raw(rollUpText(rows.length), [projectId, ...traceAttributeParams(rows)]));
}

/**
 * The most pending parents kept for a trace. An exporter's open trace waits for its open spans
 * only (its depth, times its concurrency); a client that never sends its parents would make the
 * map, rewritten on every batch, grow with the trace: from here on the trace is read in full instead.
 */
export const PENDING_PARENTS_KEPT = 1000;

/**
 * CTEs that make trace_pending_parents hold, for each trace of `traces` (a relation with a
 * `trace_id` column), the parents `entries` lists (trace_id, k, usage_below; an id may come more
 * than once, and usage below it is known when one says so): a row when there are any, none
 * otherwise, and none past PENDING_PARENTS_KEPT, where `<prefix>_maps.unknown` says so for the
 * trace row (traces.pending_parents_unknown). `when` guards both writes. Names its CTEs
 * `<prefix>_maps`, `<prefix>_written` and `<prefix>_cleared`.
 */
export function writePendingParents(prefix: string, traces: string, entries: string, when = 'true'): string {
  return `${prefix}_grouped as (
      select e.trace_id, e.k, bool_or(e.usage_below) as usage_below from ${entries} e group by e.trace_id, e.k
    ),
    ${prefix}_counted as (
      select trace_id, count(*) as n, jsonb_object_agg(k, usage_below) as parents from ${prefix}_grouped group by trace_id
    ),
    ${prefix}_maps as (
      select tr.trace_id, case when c.n > ${PENDING_PARENTS_KEPT} then null else c.parents end as parents,
             coalesce(c.n > ${PENDING_PARENTS_KEPT}, false) as unknown
      from ${traces} tr left join ${prefix}_counted c on c.trace_id = tr.trace_id
    ),
    ${prefix}_written as (
      insert into trace_pending_parents as tp (project_id, trace_id, parents)
      select $1::uuid, trace_id, parents from ${prefix}_maps where parents is not null and (${when})
      order by trace_id
      on conflict (project_id, trace_id) do update set parents = excluded.parents
    ),
    ${prefix}_cleared as (
      delete from trace_pending_parents tp
      using ${prefix}_maps m
      where m.parents is null and (${when}) and tp.project_id = $1::uuid and tp.trace_id = m.trace_id
    )`;
}

/**
 * A trace's totals from its spans (`source`: per span trace_id, id, parent_id, name, start_time,
 * end_time, status, total_tokens, cost_usd and its usage mark `marked`), one row per trace: the
 * earliest root span's name, bounds, counts, and tokens and cost of the spans not marked.
 */
export function traceTotalsOf(source: string): string {
  return `
      select trace_id,
             (array_agg(name order by start_time, id) filter (where parent_id is null))[1] as root_name,
             min(start_time) as start_time,
             max(end_time) as end_time,
             count(*)::int as span_count,
             (count(*) filter (where status = 'ERROR'))::int as error_count,
             coalesce(sum(total_tokens) filter (where not marked), 0)::bigint as total_tokens,
             sum(cost_usd) filter (where not marked) as total_cost_usd
      from ${source}
      group by trace_id
    `;
}

/** The parameters of traceAttributeValues: six per trace, in its order. */
export function traceAttributeParams(rows: TraceAttributesRow[]): unknown[] {
  const params: unknown[] = [];
  for (const r of rows) params.push(r.id, r.name, r.userId, r.sessionId, r.tags, r.metadata);
  return params;
}

/** `traceCount` rows of trace attributes as VALUES tuples, their parameters from `$firstParam` on. */
export function traceAttributeValues(traceCount: number, firstParam: number): string {
  return Array.from({ length: traceCount }, (_, i) => {
    const p = firstParam + i * 6;
    return `($${p}::text, $${p + 1}::text, $${p + 2}::text, $${p + 3}::text, $${p + 4}::text[], $${p + 5}::jsonb)`;
  }).join(', ');
}

/**
 * How an existing trace row takes a batch's attributes (`v`: the batch's trace attributes; `t` the
 * stored row; `excluded` the new one): later values win, tags are a union, metadata is merged, and
 * an explicit name wins over a stored one, which wins over the root span's.
 */
export const MERGE_TRACE_ATTRIBUTES = `name = coalesce((select v.name from v where v.id = excluded.id), t.name, excluded.name),
      user_id = coalesce(excluded.user_id, t.user_id),
      session_id = coalesce(excluded.session_id, t.session_id),
      tags = array(select distinct tag from unnest(t.tags || excluded.tags) as tag order by tag),
      metadata = case when t.metadata is null then excluded.metadata
                      when excluded.metadata is null then t.metadata
                      else t.metadata || excluded.metadata end`;

// The text depends only on the trace count (statement-text-cache.ts).
const rollUpText = textPerRowCount(32, (traceCount) => {
  // Each trace's spans are read by a lateral lookup per trace id (spans_trace_idx): with
  // `trace_id = any(…)`, a plan made from statistics older than a fast-growing table used the
  // (project, model, trace) index and walked every span of the project. Each step up the parent
  // chain is a primary-key lookup; `limit 1` keeps the planner from turning it into a join that
  // scans the whole project's spans (it did, on fresh statistics). UNION (not UNION ALL) ends the
  // walk on a parent cycle that a client could send. Planned per call (INGEST_TRACE_READ).
  return `${INGEST_TRACE_READ}
    with recursive v (id, name, user_id, session_id, tags, metadata) as (values ${traceAttributeValues(traceCount, 2)}),
    trace_spans as materialized (
      select v.id as trace_id, s.*
      from v cross join lateral (
        select id, parent_id, name, start_time, end_time, status, total_tokens, cost_usd, usage_in_descendants
        from spans
        where project_id = $1::uuid and trace_id = v.id
      ) s
    ),
    -- Every span of the trace above a span with usage. The walk ends where the chain leaves the
    -- trace: a trace's marks depend on its own spans only, so they do not change with which other
    -- traces share its batch.
    above (trace_id, id) as (
      select trace_id, parent_id from trace_spans where total_tokens is not null and parent_id is not null
      union
      select above.trace_id, up.parent_id from above
      cross join lateral (
        select s.trace_id, s.parent_id from spans s where s.project_id = $1::uuid and s.id = above.id limit 1
      ) up
      where up.trace_id = above.trace_id and up.parent_id is not null
    ),
    -- Each span with its mark. Only spans with usage are ever marked (ingest's in-batch marks
    -- follow the same rule); the others keep theirs.
    marks as (
      select trace_spans.*,
             case when total_tokens is null then usage_in_descendants
                  else (trace_id, id) in (select trace_id, id from above) end as marked
      from trace_spans
    ),
    -- Only the spans whose mark changes are looked up: ingest marks its own batch already, so
    -- usually none is (filtered on the join, each of the batch's spans cost a primary-key lookup).
    marked as (
      update spans set usage_in_descendants = marks.marked
      from marks
      where marks.marked <> marks.usage_in_descendants
        and spans.project_id = $1::uuid and spans.id = marks.id and spans.usage_in_descendants <> marks.marked
    ),
    totals as (${traceTotalsOf('marks')}),
    -- Parents named by spans of a trace that are not its spans, and whether usage is reported
    -- below them: \`above\` holds every parent on a chain up from a span with usage, the ones
    -- outside the trace included (its walk starts from them and stops there).
    pending (trace_id, k, usage_below) as (
      select c.trace_id, c.parent_id, (c.trace_id, c.parent_id) in (select trace_id, id from above)
      from trace_spans c left join trace_spans p on p.trace_id = c.trace_id and p.id = c.parent_id
      where c.parent_id is not null and p.id is null
    ),
    ${writePendingParents('pending', 'totals', 'pending')}
    insert into traces as t (project_id, id, name, user_id, session_id, tags, metadata,
                             start_time, end_time, span_count, error_count, total_tokens, total_cost_usd, pending_parents_unknown)
    select $1::uuid, v.id, coalesce(v.name, totals.root_name), v.user_id, v.session_id, v.tags, v.metadata,
           totals.start_time, totals.end_time, totals.span_count, totals.error_count, totals.total_tokens, totals.total_cost_usd,
           pending_maps.unknown
    -- A trace without spans is not a trace: it has no totals row.
    from v join totals on totals.trace_id = v.id join pending_maps on pending_maps.trace_id = v.id
    order by v.id
    on conflict (project_id, id) do update set
      ${MERGE_TRACE_ATTRIBUTES},
      start_time = excluded.start_time,
      end_time = excluded.end_time,
      span_count = excluded.span_count,
      error_count = excluded.error_count,
      total_tokens = excluded.total_tokens,
      total_cost_usd = excluded.total_cost_usd,
      pending_parents_unknown = excluded.pending_parents_unknown,
      updated_at = now()`;
});
