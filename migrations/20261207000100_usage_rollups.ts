import { sql, type Kysely } from 'kysely';

// Usage roll-ups (issue 15): project.usage read every span of its range, 1.5 s at 1M spans.
// Now every write to `spans` — ingest's upsert, its re-pricing and usage_in_descendants
// updates, retention's and erasure's deletes, anything else — is followed by a statement-level
// trigger that turns the rows it changed into signed contributions per (project, hour, model)
// and appends them to `usage_deltas`. The compactor (server/services/usage-compactor.ts) folds
// deltas into `usage_rollups` and `usage_latency`; a read sums the roll-ups and the deltas not
// yet folded, in one statement (one snapshot), so it is exact at any moment.
//
// Why appends: concurrent ingest batches would otherwise queue on the same roll-up row (one
// hour × model takes every span of that hour). Why statement-level with transition tables: one
// aggregated insert per statement rather than one per span. Frozen in time: imports nothing.
//
// Latency: a histogram per (project, hour, model), and one per (project, hour) for reads
// without a model filter, with log buckets of ratio 1.02: a bucket holds durations within 2% of
// each other; it keeps their count and their sum, so its mean is exact when its durations are
// equal and within 2% of each otherwise. Durations ≤ 0 share one bucket (-32768). 2% rather
// than 1%: half the buckets to read; a week by hour is ~170 hours × ≤ 360 buckets.

const CONTRIBUTION = (alias: string, sign: string) => sql.raw(`
  select ${alias}.project_id,
         date_trunc('hour', ${alias}.start_time, 'UTC') as hour,
         ${alias}.model,
         ${sign} as sign,
         ${alias}.usage_in_descendants as counted_below,
         ${alias}.total_tokens, ${alias}.prompt_tokens, ${alias}.completion_tokens,
         ${alias}.cache_read_tokens, ${alias}.cache_write_tokens, ${alias}.reasoning_tokens,
         ${alias}.cost_usd, ${alias}.status,
         case when ${alias}.end_time is null then null
              else extract(epoch from (${alias}.end_time - ${alias}.start_time)) * 1000 end as latency_ms`);

// The insert every trigger ends with: contributions (in `c`) summed per (project, hour, model).
// Costs are summed as numeric from the shortest text of the double, so adding and later
// subtracting a span leaves exactly nothing behind.
const APPEND_DELTAS = `
  scalars as (
    select project_id, hour, model,
           sum(sign) as spans,
           sum(sign * coalesce(total_tokens, 0)) filter (where not counted_below) as tokens,
           sum(sign * coalesce(prompt_tokens, 0)) filter (where not counted_below) as prompt_tokens,
           sum(sign * coalesce(completion_tokens, 0)) filter (where not counted_below) as completion_tokens,
           sum(sign * coalesce(cache_read_tokens, 0)) filter (where not counted_below) as cache_read_tokens,
           sum(sign * coalesce(cache_write_tokens, 0)) filter (where not counted_below) as cache_write_tokens,
           sum(sign * coalesce(reasoning_tokens, 0)) filter (where not counted_below) as reasoning_tokens,
           sum(sign * cost_usd::text::numeric) filter (where not counted_below) as cost_usd,
           sum(sign) filter (where cost_usd is not null) as priced_spans,
           sum(sign) filter (where model is not null and cost_usd is null) as unpriced_spans,
           sum(sign) filter (where status = 'ERROR') as errors
    from c group by project_id, hour, model
  ),
  buckets as (
    select project_id, hour, model,
           case when latency_ms <= 0 then -32768 else ceil(ln(latency_ms) / ln(1.02))::int end as key,
           sum(sign) as n, sum(sign * latency_ms) as total_ms
    from c where latency_ms is not null
    group by 1, 2, 3, 4
  ),
  histograms as (
    select project_id, hour, model, jsonb_object_agg(key::text, jsonb_build_array(n, total_ms)) as latency
    from buckets where n <> 0 or total_ms <> 0
    group by 1, 2, 3
  )
  insert into usage_deltas (project_id, hour, model, spans, tokens, prompt_tokens, completion_tokens,
                            cache_read_tokens, cache_write_tokens, reasoning_tokens, cost_usd,
                            priced_spans, unpriced_spans, errors, latency)
  select s.project_id, s.hour, s.model, s.spans, coalesce(s.tokens, 0), coalesce(s.prompt_tokens, 0),
         coalesce(s.completion_tokens, 0), coalesce(s.cache_read_tokens, 0), coalesce(s.cache_write_tokens, 0),
         coalesce(s.reasoning_tokens, 0), coalesce(s.cost_usd, 0), coalesce(s.priced_spans, 0),
         coalesce(s.unpriced_spans, 0), coalesce(s.errors, 0), h.latency
  from scalars s
  left join histograms h on h.project_id = s.project_id and h.hour = s.hour and h.model is not distinct from s.model
  where (s.spans <> 0 or coalesce(s.tokens, 0) <> 0 or coalesce(s.prompt_tokens, 0) <> 0 or coalesce(s.completion_tokens, 0) <> 0
         or coalesce(s.cache_read_tokens, 0) <> 0 or coalesce(s.cache_write_tokens, 0) <> 0 or coalesce(s.reasoning_tokens, 0) <> 0
         or coalesce(s.cost_usd, 0) <> 0 or coalesce(s.priced_spans, 0) <> 0 or coalesce(s.unpriced_spans, 0) <> 0
         or coalesce(s.errors, 0) <> 0 or h.latency is not null)
    -- A project being deleted takes its spans with it; its roll-ups go by foreign key.
    and exists (select 1 from projects p where p.id = s.project_id)`;

// The columns a contribution depends on: an update that changes none of them (retention
// emptying content, a trace attribute) appends nothing.
const USAGE_COLUMNS = [
  'start_time', 'end_time', 'model', 'usage_in_descendants', 'total_tokens', 'prompt_tokens', 'completion_tokens',
  'cache_read_tokens', 'cache_write_tokens', 'reasoning_tokens', 'cost_usd', 'status',
];
const changed = USAGE_COLUMNS.map((c) => `o.${c} is distinct from n.${c}`).join(' or ');

export async function up(db: Kysely<any>): Promise<void> {
  const scalarColumns = sql.raw(`
    spans bigint not null default 0,
    tokens bigint not null default 0,
    prompt_tokens bigint not null default 0,
    completion_tokens bigint not null default 0,
    cache_read_tokens bigint not null default 0,
    cache_write_tokens bigint not null default 0,
    reasoning_tokens bigint not null default 0,
    cost_usd numeric not null default 0,
    priced_spans bigint not null default 0,
    unpriced_spans bigint not null default 0,
    errors bigint not null default 0`);

  // No primary key: rows are appended and deleted only by the compactor, a whole snapshot at a time.
  await sql`create table usage_deltas (
    project_id uuid not null references projects (id) on delete cascade,
    hour timestamptz not null,
    model text,
    ${scalarColumns},
    latency jsonb
  )`.execute(db);
  await sql`create index usage_deltas_project_hour_idx on usage_deltas (project_id, hour)`.execute(db);
  // Rows live seconds: vacuum early, or reads wade through the dead ones (the compactor also
  // vacuums the table after each fold).
  await sql`alter table usage_deltas set (autovacuum_vacuum_scale_factor = 0, autovacuum_vacuum_threshold = 500, autovacuum_vacuum_cost_delay = 0)`.execute(db);

  await sql`create table usage_rollups (
    project_id uuid not null references projects (id) on delete cascade,
    hour timestamptz not null,
    model text,
    ${scalarColumns}
  )`.execute(db);
  await sql`create unique index usage_rollups_key on usage_rollups (project_id, hour, model) nulls not distinct`.execute(db);
  // Rows whose spans are all gone, found by the compactor without a scan.
  await sql`create index usage_rollups_empty_idx on usage_rollups (project_id) where spans = 0`.execute(db);

  await sql`create table usage_latency (
    project_id uuid not null references projects (id) on delete cascade,
    hour timestamptz not null,
    model text,
    key smallint not null,
    n bigint not null,
    total_ms double precision not null
  )`.execute(db);
  await sql`create unique index usage_latency_key on usage_latency (project_id, hour, model, key) nulls not distinct`.execute(db);
  await sql`create index usage_latency_empty_idx on usage_latency (project_id) where n = 0`.execute(db);
  await sql`create table usage_latency_all (
    project_id uuid not null references projects (id) on delete cascade,
    hour timestamptz not null,
    key smallint not null,
    n bigint not null,
    total_ms double precision not null,
    primary key (project_id, hour, key)
  )`.execute(db);
  await sql`create index usage_latency_all_empty_idx on usage_latency_all (project_id) where n = 0`.execute(db);
  // Each hour's percentiles, worked out from the histograms by the compactor for the hours it
  // touched: a week by hour then reads 168 rows instead of ~50,000 buckets. model null: all models.
  await sql`create table usage_latency_pct (
    project_id uuid not null references projects (id) on delete cascade,
    hour timestamptz not null,
    model text,
    n bigint not null,
    p50lo double precision, p50hi double precision, p95lo double precision, p95hi double precision
  )`.execute(db);
  await sql`create unique index usage_latency_pct_key on usage_latency_pct (project_id, hour, model) nulls not distinct`.execute(db);

  await sql`create function spans_usage_inserted() returns trigger language plpgsql as $$
    begin
      with c as (${CONTRIBUTION('n', '1')} from spans_inserted n), ${sql.raw(APPEND_DELTAS)};
      return null;
    end $$`.execute(db);
  await sql`create function spans_usage_updated() returns trigger language plpgsql as $$
    begin
      with moved as (
        select o.project_id, o.id from spans_before o join spans_after n on n.project_id = o.project_id and n.id = o.id
        where ${sql.raw(changed)}
      ), c as (
        ${CONTRIBUTION('o', '-1')} from spans_before o join moved m on m.project_id = o.project_id and m.id = o.id
        union all
        ${CONTRIBUTION('n', '1')} from spans_after n join moved m on m.project_id = n.project_id and m.id = n.id
      ), ${sql.raw(APPEND_DELTAS)};
      return null;
    end $$`.execute(db);
  await sql`create function spans_usage_deleted() returns trigger language plpgsql as $$
    begin
      with c as (${CONTRIBUTION('o', '-1')} from spans_deleted o), ${sql.raw(APPEND_DELTAS)};
      return null;
    end $$`.execute(db);

  await sql`create trigger spans_usage_insert after insert on spans referencing new table as spans_inserted
    for each statement execute function spans_usage_inserted()`.execute(db);
  await sql`create trigger spans_usage_update after update on spans referencing old table as spans_before new table as spans_after
    for each statement execute function spans_usage_updated()`.execute(db);
  await sql`create trigger spans_usage_delete after delete on spans referencing old table as spans_deleted
    for each statement execute function spans_usage_deleted()`.execute(db);
  // TRUNCATE carries no rows to subtract: it empties the roll-ups of every project with it.
  await sql`create function spans_usage_truncated() returns trigger language plpgsql as $$
    begin
      truncate usage_deltas, usage_rollups, usage_latency, usage_latency_all, usage_latency_pct;
      return null;
    end $$`.execute(db);
  await sql`create trigger spans_usage_truncate after truncate on spans for each statement execute function spans_usage_truncated()`.execute(db);

  // Backfill: the spans stored so far, as one delta per (project, hour, model) that the first
  // compaction folds (or that reads sum until then).
  await sql`with c as (${CONTRIBUTION('n', '1')} from spans n), ${sql.raw(APPEND_DELTAS)}`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop trigger if exists spans_usage_truncate on spans`.execute(db);
  await sql`drop trigger if exists spans_usage_delete on spans`.execute(db);
  await sql`drop trigger if exists spans_usage_update on spans`.execute(db);
  await sql`drop trigger if exists spans_usage_insert on spans`.execute(db);
  await sql`drop function if exists spans_usage_truncated, spans_usage_deleted, spans_usage_updated, spans_usage_inserted`.execute(db);
  await sql`drop table if exists usage_latency_pct, usage_latency_all, usage_latency, usage_rollups, usage_deltas`.execute(db);
}
