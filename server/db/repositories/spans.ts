import { CompiledQuery, sql, type Kysely } from 'kysely';
import type { Database, NewSpanRow, SpanRow, TraceRow } from '../tables';

type Db = Kysely<Database>;

// Marks ingest's hand-written statements as worth preparing (server/db/prepared-statements.ts);
// the ingest key's lookup (repositories/credentials.ts) carries it too.
const INGEST_WRITE = '/* ingest */';

// Marks ingest's statements that read the batch's traces back from spans: not prepared, so Postgres
// plans them on every call. A kept (generic) plan is made once, from the statistics of the moment:
// one made while a project's spans were few reads all of them sequentially once they are many,
// until the next ANALYZE replaces it — the usage marks' plan kept from 10 spans took 113 ms per call
// at 30,000 spans, 0.9 ms planned per call (bench:ingest starts from an empty database, as a new
// install does). Planning them costs 0.3–0.6 ms.
const INGEST_TRACE_READ = '/* ingest: planned per call */';

/** Ingest's writes and its key lookup: they repeat with the same text on every batch, so Postgres may keep their plans. */
export function isIngestWrite(text: string): boolean {
  return text.startsWith('insert into "spans"') || text.startsWith(INGEST_WRITE);
}

/** What a span row holds after the upsert: the facts its cost and totals depend on. */
export type StoredSpanFacts = Pick<
  SpanRow,
  | 'id' | 'trace_id' | 'model' | 'prompt_tokens' | 'completion_tokens' | 'total_tokens' | 'cache_read_tokens' | 'cache_write_tokens'
  | 'cost_usd' | 'price_ref' | 'start_time'
>;

// Every insertable column, in the order the upsert binds them.
export const SPAN_COLUMNS = [
  'project_id', 'id', 'trace_id', 'parent_id', 'kind', 'name', 'model', 'provider', 'input', 'output', 'metadata',
  'prompt_tokens', 'completion_tokens', 'total_tokens', 'cache_read_tokens', 'cache_write_tokens', 'reasoning_tokens',
  'cost_usd', 'price_ref', 'start_time', 'end_time', 'completion_start_time', 'status', 'status_message', 'redactions',
] as const satisfies readonly (keyof NewSpanRow)[];

// The upsert's columns: every insertable one, then the usage mark the batch could already tell
// (server/services/ingest/usage-marks.ts), which markUsageInDescendants then corrects.
const UPSERT_COLUMNS = [...SPAN_COLUMNS, 'usage_in_descendants'] as const;

const keep = (col: string) => `"${col}" = coalesce(excluded."${col}", spans."${col}")`;
const UPSERT_TAIL = `on conflict ("project_id", "id") do update set
  ${['parent_id', 'model', 'provider', 'input', 'output', 'metadata', 'prompt_tokens', 'completion_tokens',
     'cache_read_tokens', 'cache_write_tokens', 'reasoning_tokens'].map(keep).join(',\n  ')},
  -- From the merged counts, not the copy's own sum: a copy carrying only completionTokens must
  -- not drop the promptTokens an earlier copy stored.
  "total_tokens" = case
    when coalesce(excluded."prompt_tokens", spans."prompt_tokens") is null
     and coalesce(excluded."completion_tokens", spans."completion_tokens") is null then null
    else coalesce(excluded."prompt_tokens", spans."prompt_tokens", 0) + coalesce(excluded."completion_tokens", spans."completion_tokens", 0)
    end,
  ${['cost_usd', 'price_ref', 'end_time', 'completion_start_time'].map(keep).join(',\n  ')},
  "status" = case when excluded."status" = 'ERROR' then 'ERROR' else spans."status" end,
  ${keep('status_message')},
  "redactions" = case when excluded."redactions" = '[]'::jsonb then spans."redactions" else excluded."redactions" end,
  -- A stored mark stays until markUsageInDescendants, which follows in the same transaction,
  -- recomputes it from every stored span; the copy's batch may only have seen more.
  "usage_in_descendants" = spans."usage_in_descendants" or excluded."usage_in_descendants",
  "updated_at" = now()
returning "id", "trace_id", "model", "prompt_tokens", "completion_tokens", "total_tokens", "cache_read_tokens", "cache_write_tokens",
  "cost_usd", "price_ref", "start_time"`;

// The statement's text depends only on the row count. Built by hand and kept, rather than by the
// query builder on every batch: for 100 spans that is 2,100 value nodes built and compiled per
// request, and the same text each time is what lets Postgres reuse the prepared statement.
const UPSERT_TEXT_CACHE_SIZE = 16;
const upsertTextByRows = new Map<number, string>();

function upsertSpansText(rowCount: number): string {
  let text = upsertTextByRows.get(rowCount);
  if (text === undefined) {
    const width = UPSERT_COLUMNS.length;
    const tuples = Array.from({ length: rowCount }, (_, r) => `(${UPSERT_COLUMNS.map((_, c) => `$${r * width + c + 1}`).join(', ')})`);
    text = `insert into "spans" (${UPSERT_COLUMNS.map((c) => `"${c}"`).join(', ')}) values ${tuples.join(', ')}\n${UPSERT_TAIL}`;
    if (upsertTextByRows.size >= UPSERT_TEXT_CACHE_SIZE) upsertTextByRows.delete(upsertTextByRows.keys().next().value!);
    upsertTextByRows.set(rowCount, text);
  }
  return text;
}

/**
 * One multi-row upsert; `usageMarks[i]` is `rows[i]`'s usage mark as far as its batch can tell
 * (absent: false). A span id already stored is completed, not doubled: each column
 * takes the newer copy's value when it has one, and ERROR is sticky.
 * Returns every span as stored (an existing span keeps its original trace), so the caller can
 * re-price a span whose model and token counts came in different copies.
 */
export async function upsertSpans(db: Db, rows: NewSpanRow[], usageMarks: readonly boolean[] = []): Promise<StoredSpanFacts[]> {
  if (rows.length === 0) return [];
  const params: unknown[] = [];
  rows.forEach((row, i) => {
    for (const column of SPAN_COLUMNS) params.push(row[column] ?? null);
    params.push(usageMarks[i] ?? false);
  });
  const result = await db.executeQuery<StoredSpanFacts>(CompiledQuery.raw(upsertSpansText(rows.length), params));
  return result.rows;
}

/** Sets the cost of spans re-priced after a merge, in one statement; new spans never need it. */
export async function updateSpanCosts(db: Db, projectId: string, costs: { id: string; costUsd: number | null; priceRef: string | null }[]): Promise<void> {
  if (costs.length === 0) return;
  const values = sql.join(costs.map((c) => sql`(${c.id}::text, ${c.costUsd}::double precision, ${c.priceRef}::text)`));
  await sql`
    update spans set cost_usd = v.cost_usd, price_ref = v.price_ref, updated_at = now()
    from (values ${values}) as v(id, cost_usd, price_ref)
    where spans.project_id = ${projectId} and spans.id = v.id`.execute(db);
}

/**
 * Marks, in the given traces, each span whose usage a span below it also reports (an agent span
 * and its generations: the Vercel AI SDK reports the same tokens on both), so totals and usage
 * charts count those tokens once, at the deepest spans that report them. Recomputed from the
 * stored spans under lockTraces, so a child that arrives after its parent still flips the parent.
 */
export async function markUsageInDescendants(db: Db, projectId: string, traceIds: string[]): Promise<void> {
  if (traceIds.length === 0) return;
  // UNION (not UNION ALL) ends the walk on a parent cycle that a client could send. Each step up
  // is a primary-key lookup: `limit 1` keeps the planner from turning it into a join that scans
  // the whole project's spans (it did, on fresh statistics). The batch's traces are read one by
  // one (a lateral lookup per trace id, on spans_trace_idx) for the same reason: with
  // `trace_id = any(…)` a plan made from statistics older than a fast-growing table used the
  // (project, model, trace) index and walked every span of the project. Planned per call
  // (INGEST_TRACE_READ).
  await sql`${sql.raw(INGEST_TRACE_READ)}
    with recursive reported as (
      select s.id, s.parent_id
      from unnest(${traceIds}::text[]) as batch (trace_id)
      cross join lateral (
        select id, parent_id from spans
        where project_id = ${projectId} and trace_id = batch.trace_id and total_tokens is not null
      ) s
    ), above (id) as (
      select parent_id from reported where parent_id is not null
      union
      select up.parent_id from above
      cross join lateral (select s.parent_id from spans s where s.project_id = ${projectId} and s.id = above.id limit 1) up
      where up.parent_id is not null
    )
    update spans set usage_in_descendants = (spans.id in (select id from above))
    where spans.project_id = ${projectId} and spans.id = any(array(select id from reported))
      and spans.usage_in_descendants <> (spans.id in (select id from above))`.execute(db);
}

export interface TraceAttributesRow {
  projectId: string;
  id: string;
  name: string | null;
  userId: string | null;
  sessionId: string | null;
  tags: string[];
  metadata: string | null;
}

/**
 * Serialises writers of the same traces: a transaction-scoped advisory lock per trace, taken in
 * one order (by key) by every batch, before its spans are written. Without it, two batches with
 * spans of one trace each roll the trace up from a snapshot that lacks the other's spans, and the
 * later commit leaves totals that miss the earlier batch. Keys hash (project, trace id); a
 * collision only makes two unrelated batches wait for each other.
 */
export async function lockTraces(db: Db, projectId: string, traceIds: string[]): Promise<void> {
  if (traceIds.length === 0) return;
  // pg_advisory_xact_lock is volatile, so it runs after the sort: locks are taken in key order.
  await sql`${sql.raw(INGEST_WRITE)}
    select pg_advisory_xact_lock(k) from (
      select distinct hashtextextended(${projectId}::text || '/' || id, 0) as k
      from unnest(${traceIds}::text[]) as id
    ) keys
    order by k`.execute(db);
}

/**
 * Creates or updates the trace rows of a batch in one statement: attributes merged in (later
 * values win, tags are a union, metadata is merged) and bounds and totals recomputed from the
 * stored spans, so retries and out-of-order batches converge. Run it after the spans are written
 * and under lockTraces, so the roll-up sees every committed span of the trace.
 *
 * An explicit trace name wins; otherwise the earliest root span names the trace, whichever batch
 * it arrived in — and a name once taken from a root span stays until an explicit one comes.
 */
export async function upsertTraces(db: Db, projectId: string, rows: TraceAttributesRow[]): Promise<void> {
  if (rows.length === 0) return;
  const values = sql.join(
    rows.map(
      (r) => sql`(${r.id}::text, ${r.name}::text, ${r.userId}::text, ${r.sessionId}::text, ${r.tags}::text[], ${r.metadata}::jsonb)`,
    ),
  );
  await sql`${sql.raw(INGEST_TRACE_READ)}
    with v (id, name, user_id, session_id, tags, metadata) as (values ${values}),
    -- One lateral lookup per trace (spans_trace_idx), as in markUsageInDescendants and for its reason.
    totals as (
      select v.id as trace_id, t.*
      from v cross join lateral (
        select (array_agg(name order by start_time, id) filter (where parent_id is null))[1] as root_name,
               min(start_time) as start_time,
               max(end_time) as end_time,
               count(*)::int as span_count,
               (count(*) filter (where status = 'ERROR'))::int as error_count,
               -- Usage a deeper span also reports is counted there (markUsageInDescendants).
               coalesce(sum(total_tokens) filter (where not usage_in_descendants), 0)::bigint as total_tokens,
               sum(cost_usd) filter (where not usage_in_descendants) as total_cost_usd
        from spans
        where project_id = ${projectId} and trace_id = v.id
      ) t
      -- An aggregate without GROUP BY gives a row for a trace without spans too: not a trace.
      where t.span_count > 0
    )
    insert into traces as t (project_id, id, name, user_id, session_id, tags, metadata,
                             start_time, end_time, span_count, error_count, total_tokens, total_cost_usd)
    select ${projectId}, v.id, coalesce(v.name, totals.root_name), v.user_id, v.session_id, v.tags, v.metadata,
           totals.start_time, totals.end_time, totals.span_count, totals.error_count, totals.total_tokens, totals.total_cost_usd
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
      updated_at = now()`.execute(db);
}

const spanMetaColumns = [
  'project_id',
  'id',
  'trace_id',
  'parent_id',
  'kind',
  'name',
  'model',
  'provider',
  'metadata',
  'prompt_tokens',
  'completion_tokens',
  'total_tokens',
  'cache_read_tokens',
  'cache_write_tokens',
  'reasoning_tokens',
  'cost_usd',
  'start_time',
  'end_time',
  'completion_start_time',
  'status',
  'status_message',
  'redactions',
  'content_removed_at',
] as const;

export type SpanMetaRow = Pick<SpanRow, (typeof spanMetaColumns)[number]>;

/** Span metadata of one trace, without content. */
export function findSpansOfTrace(db: Db, projectId: string, traceId: string): Promise<SpanMetaRow[]> {
  return db
    .selectFrom('spans')
    .select(spanMetaColumns)
    .where('project_id', '=', projectId)
    .where('trace_id', '=', traceId)
    .orderBy('start_time', 'asc')
    .orderBy('id', 'asc')
    .execute();
}

/** Only the content columns of one trace's spans: loaded when a detail view asks for them. */
export function findSpanContentsOfTrace(
  db: Db,
  projectId: string,
  traceId: string,
): Promise<Pick<SpanRow, 'id' | 'input' | 'output'>[]> {
  return db
    .selectFrom('spans')
    .select(['id', 'input', 'output'])
    .where('project_id', '=', projectId)
    .where('trace_id', '=', traceId)
    .execute();
}

export function findTrace(db: Db, projectId: string, id: string): Promise<TraceRow | undefined> {
  return db.selectFrom('traces').selectAll().where('project_id', '=', projectId).where('id', '=', id).executeTakeFirst();
}
