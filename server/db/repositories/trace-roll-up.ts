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
 *
 * Every part of one statement reads the same snapshot, so the totals do not read the marks back
 * from the table: they use the marks this statement computes, which is what the table holds once it
 * has run. Run it after the spans are written and under lockTraces, so it sees every committed span
 * of the traces.
 */
export async function rollUpTraces(db: Kysely<Database>, projectId: string, rows: TraceAttributesRow[]): Promise<void> {
  if (rows.length === 0) return;
  const params: unknown[] = [projectId];
  for (const r of rows) params.push(r.id, r.name, r.userId, r.sessionId, r.tags, r.metadata);
  await db.executeQuery(CompiledQuery.raw(rollUpText(rows.length), params));
}

// The text depends only on the trace count (statement-text-cache.ts).
const rollUpText = textPerRowCount(32, (traceCount) => {
  const tuples = Array.from({ length: traceCount }, (_, i) => {
    const p = 2 + i * 6;
    return `($${p}::text, $${p + 1}::text, $${p + 2}::text, $${p + 3}::text, $${p + 4}::text[], $${p + 5}::jsonb)`;
  });
  // Each trace's spans are read by a lateral lookup per trace id (spans_trace_idx): with
  // `trace_id = any(…)`, a plan made from statistics older than a fast-growing table used the
  // (project, model, trace) index and walked every span of the project. Each step up the parent
  // chain is a primary-key lookup; `limit 1` keeps the planner from turning it into a join that
  // scans the whole project's spans (it did, on fresh statistics). UNION (not UNION ALL) ends the
  // walk on a parent cycle that a client could send. Planned per call (INGEST_TRACE_READ).
  return `${INGEST_TRACE_READ}
    with recursive v (id, name, user_id, session_id, tags, metadata) as (values ${tuples.join(', ')}),
    trace_spans as materialized (
      select v.id as trace_id, s.*
      from v cross join lateral (
        select id, parent_id, name, start_time, end_time, status, total_tokens, cost_usd, usage_in_descendants
        from spans
        where project_id = $1::uuid and trace_id = v.id
      ) s
    ),
    -- Every span above a span with usage (the parent chain may leave the trace).
    above (id) as (
      select parent_id from trace_spans where total_tokens is not null and parent_id is not null
      union
      select up.parent_id from above
      cross join lateral (select s.parent_id from spans s where s.project_id = $1::uuid and s.id = above.id limit 1) up
      where up.parent_id is not null
    ),
    -- Each span with its mark. Only spans with usage are ever marked (ingest's in-batch marks
    -- follow the same rule); the others keep theirs.
    marks as (
      select trace_spans.*, case when total_tokens is null then usage_in_descendants else id in (select id from above) end as marked
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
    totals as (
      select trace_id,
             (array_agg(name order by start_time, id) filter (where parent_id is null))[1] as root_name,
             min(start_time) as start_time,
             max(end_time) as end_time,
             count(*)::int as span_count,
             (count(*) filter (where status = 'ERROR'))::int as error_count,
             coalesce(sum(total_tokens) filter (where not marked), 0)::bigint as total_tokens,
             sum(cost_usd) filter (where not marked) as total_cost_usd
      from marks
      group by trace_id
    )
    insert into traces as t (project_id, id, name, user_id, session_id, tags, metadata,
                             start_time, end_time, span_count, error_count, total_tokens, total_cost_usd)
    select $1::uuid, v.id, coalesce(v.name, totals.root_name), v.user_id, v.session_id, v.tags, v.metadata,
           totals.start_time, totals.end_time, totals.span_count, totals.error_count, totals.total_tokens, totals.total_cost_usd
    -- A trace without spans is not a trace: it has no totals row.
    from v join totals on totals.trace_id = v.id
    order by v.id
    on conflict (project_id, id) do update set
      name = coalesce((select v.name from v where v.id = excluded.id), t.name, excluded.name),
      user_id = coalesce(excluded.user_id, t.user_id),
      session_id = coalesce(excluded.session_id, t.session_id),
      tags = array(select distinct tag from unnest(t.tags || excluded.tags) as tag order by tag),
      metadata = case when t.metadata is null then excluded.metadata
                      when excluded.metadata is null then t.metadata
                      else t.metadata || excluded.metadata end,
      start_time = excluded.start_time,
      end_time = excluded.end_time,
      span_count = excluded.span_count,
      error_count = excluded.error_count,
      total_tokens = excluded.total_tokens,
      total_cost_usd = excluded.total_cost_usd,
      updated_at = now()`;
});
