import { sql, type Kysely } from 'kysely';
import type { Database } from '../tables';
import { JIT_OFF_FOR_TRANSACTION } from './without-jit';
import type { ModelUsageRow, UsageBucketRow, UsageBucketUnit } from './usage';

type Db = Kysely<Database>;

// Usage read from the roll-ups that triggers on `spans` keep (migration 20261207000100,
// docs/usage-rollups.md): `usage_rollups` and `usage_latency` hold what the compactor folded,
// `usage_deltas` what it has not folded yet. Each read is one statement, so it sees one
// snapshot: a delta is either still pending or already in the roll-ups, never both or neither.
// Ranges are whole hours (the roll-ups' grain): the caller rounds them.

const num = (v: unknown): number => (v === null || v === undefined ? 0 : Number(v));
const numOrNull = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

/** The log-bucket ratio of the latency histogram: percentiles are within 2% of the exact ones. */
export const LATENCY_BUCKET_RATIO = 1.02;

function scalarSource(projectId: string, from: Date, to: Date, model: string | null) {
  const byModel = model === null ? sql`` : sql`and model = ${model}`;
  const cols = sql`hour, model, spans, tokens, prompt_tokens, completion_tokens, cache_read_tokens, cache_write_tokens, reasoning_tokens,
    cost_usd, priced_spans, unpriced_spans, errors`;
  return sql`(
    select ${cols} from usage_rollups where project_id = ${projectId} and hour >= ${from} and hour < ${to} ${byModel}
    union all
    select ${cols} from usage_deltas where project_id = ${projectId} and hour >= ${from} and hour < ${to} ${byModel}
  )`;
}

// Percentiles as percentile_cont computes them: the values at ranks floor and ceil of
// p·(n − 1), interpolated (in JS, interpolate()); a rank's value is the mean of its histogram
// bucket. Over `ranked` rows (n, mean, below: the count in lower buckets, total).
const PERCENTILES = sql`max(total) as n,
  max(mean) filter (where below <= floor(0.5 * (total - 1)) and floor(0.5 * (total - 1)) < below + n) as p50lo,
  max(mean) filter (where below <= ceil(0.5 * (total - 1)) and ceil(0.5 * (total - 1)) < below + n) as p50hi,
  max(mean) filter (where below <= floor(0.95 * (total - 1)) and floor(0.95 * (total - 1)) < below + n) as p95lo,
  max(mean) filter (where below <= ceil(0.95 * (total - 1)) and ceil(0.95 * (total - 1)) < below + n) as p95hi`;

const SUMS = sql`sum(spans) as spans, sum(tokens) as tokens, sum(prompt_tokens) as prompt_tokens,
  sum(completion_tokens) as completion_tokens, sum(cache_read_tokens) as cache_read_tokens,
  sum(cache_write_tokens) as cache_write_tokens, sum(reasoning_tokens) as reasoning_tokens,
  sum(cost_usd) as cost_usd, sum(priced_spans) as priced_spans, sum(unpriced_spans) as unpriced_spans, sum(errors) as errors`;

interface SumsRow {
  spans: string;
  tokens: string;
  prompt_tokens: string;
  completion_tokens: string;
  cache_read_tokens: string;
  cache_write_tokens: string;
  reasoning_tokens: string;
  cost_usd: string;
  priced_spans: string;
  unpriced_spans: string;
  errors: string;
}

function readSums(r: SumsRow) {
  const unpriced = num(r.unpriced_spans);
  const cost = num(r.cost_usd);
  return {
    spans: num(r.spans),
    tokens: num(r.tokens),
    promptTokens: num(r.prompt_tokens),
    completionTokens: num(r.completion_tokens),
    cacheReadTokens: num(r.cache_read_tokens),
    cacheWriteTokens: num(r.cache_write_tokens),
    reasoningTokens: num(r.reasoning_tokens),
    costUsd: cost,
    // As the raw scan's rule: unknown when no span has a cost and some span that names a model lacks one.
    knownCostUsd: num(r.priced_spans) === 0 && unpriced > 0 ? null : cost,
    unpricedSpans: unpriced,
  };
}

export async function selectRolledUpSeries(
  db: Db,
  projectId: string,
  from: Date,
  to: Date,
  unit: UsageBucketUnit,
  model: string | null = null,
): Promise<UsageBucketRow[]> {
  const bucket = sql.raw(`date_trunc('${unit}', hour, 'UTC')`);
  const byModel = model === null ? sql`` : sql`and model = ${model}`;
  const histogram = sql.raw(model === null ? 'usage_latency_all' : 'usage_latency');
  // By hour, the compactor has worked out each folded hour's percentiles (usage_latency_pct);
  // only hours with latency still pending in deltas are worked out here, from their histogram.
  // By day, every day is worked out here from its hours' histograms.
  const live = unit === 'hour' ? sql`hour in (select hour from pending)` : sql`true`;
  const { rows } = await sql<SumsRow & { start: Date; n: string | null; p50lo: number | null; p50hi: number | null; p95lo: number | null; p95hi: number | null }>`
    with scalars as (
      select ${bucket} as start, ${SUMS} from ${scalarSource(projectId, from, to, model)} s group by 1
    ), pending as (
      select distinct hour from usage_deltas
      where project_id = ${projectId} and hour >= ${from} and hour < ${to} ${byModel} and latency is not null
    ), hist as (
      select ${bucket} as start, key, sum(n) as n, sum(total_ms) as total_ms from (
        select hour, key, n, total_ms from ${histogram}
        where project_id = ${projectId} and hour >= ${from} and hour < ${to} ${byModel} and ${live}
        union all
        select d.hour, e.key::int, (e.value ->> 0)::bigint, (e.value ->> 1)::float8
        from usage_deltas d cross join lateral jsonb_each(d.latency) e
        where d.project_id = ${projectId} and d.hour >= ${from} and d.hour < ${to} ${byModel} and d.latency is not null
      ) h group by 1, 2 having sum(n) > 0
    ), ranked as (
      select start, n, total_ms / n as mean,
             sum(n) over (partition by start order by key) - n as below,
             sum(n) over (partition by start) as total
      from hist
    ), pct as (
      select start, ${PERCENTILES} from ranked group by start
      union all
      select hour, n, p50lo, p50hi, p95lo, p95hi from usage_latency_pct
      where ${sql.raw(unit === 'hour' ? 'true' : 'false')} and project_id = ${projectId} and hour >= ${from} and hour < ${to}
        and model is not distinct from ${model}::text and hour not in (select hour from pending)
    )
    select s.*, p.n, p.p50lo, p.p50hi, p.p95lo, p.p95hi
    from scalars s left join pct p on p.start = s.start
    where s.spans <> 0
    order by s.start`.execute(db);
  return rows.map((r) => {
    const n = num(r.n);
    return {
      start: new Date(r.start),
      ...readSums(r),
      errors: num(r.errors),
      p50LatencyMs: n > 0 ? interpolate(0.5, n, numOrNull(r.p50lo), numOrNull(r.p50hi)) : null,
      p95LatencyMs: n > 0 ? interpolate(0.95, n, numOrNull(r.p95lo), numOrNull(r.p95hi)) : null,
    };
  });
}

/** Works out again the percentiles of the hours a fold touched, per model and over all models. */
async function recomputeHourPercentiles(trx: Db, touchedJson: unknown): Promise<void> {
  const touched = (typeof touchedJson === 'string' ? JSON.parse(touchedJson) : touchedJson) as [string, string][];
  if (!Array.isArray(touched) || touched.length === 0) return;
  const projects = touched.map((t) => t[0]);
  const hours = touched.map((t) => t[1]);
  await sql`delete from usage_latency_pct p using unnest(${projects}::uuid[], ${hours}::timestamptz[]) as t(project_id, hour)
    where p.project_id = t.project_id and p.hour = t.hour`.execute(trx);
  await sql`
    with touched as (select * from unnest(${projects}::uuid[], ${hours}::timestamptz[]) as t(project_id, hour)),
    h as (
      select l.project_id, l.hour, l.model, l.key, l.n, l.total_ms from usage_latency l join touched t on t.project_id = l.project_id and t.hour = l.hour
      where l.model is not null and l.n > 0
      union all
      select a.project_id, a.hour, null, a.key, a.n, a.total_ms from usage_latency_all a join touched t on t.project_id = a.project_id and t.hour = a.hour
      where a.n > 0
    ), ranked as (
      select project_id, hour, model, n, total_ms / n as mean,
             sum(n) over (partition by project_id, hour, model order by key) - n as below,
             sum(n) over (partition by project_id, hour, model) as total
      from h
    )
    insert into usage_latency_pct (project_id, hour, model, n, p50lo, p50hi, p95lo, p95hi)
    select project_id, hour, model, ${PERCENTILES} from ranked group by project_id, hour, model`.execute(trx);
}

function interpolate(p: number, n: number, lo: number | null, hi: number | null): number | null {
  if (lo === null || hi === null) return null;
  const pos = p * (n - 1);
  const frac = pos - Math.floor(pos);
  return frac === 0 ? lo : lo + (hi - lo) * frac;
}

export async function selectRolledUpByModel(db: Db, projectId: string, from: Date, to: Date, model: string | null = null): Promise<ModelUsageRow[]> {
  const { rows } = await sql<SumsRow & { model: string }>`
    select model, ${SUMS} from ${scalarSource(projectId, from, to, model)} s
    where model is not null
    group by model
    having sum(spans) <> 0
    order by sum(cost_usd) desc, sum(spans) desc, model`.execute(db);
  return rows.map((r) => ({ model: r.model, ...readSums(r) }));
}

/**
 * Folds every committed delta into the roll-ups, in one transaction, if no other compactor
 * holds the lock (then it returns -1 and leaves the work to that one). Returns the deltas folded.
 */
export async function compactUsageDeltas(db: Db): Promise<number> {
  const folded = await foldUsageDeltas(db);
  // The folded rows are dead now; vacuumed at once, the table stays a few pages that reads
  // scan in microseconds. (VACUUM cannot run in the transaction above.)
  if (folded > 0) await sql`vacuum usage_deltas`.execute(db);
  return folded;
}

async function foldUsageDeltas(db: Db): Promise<number> {
  return db.transaction().execute(async (trx) => {
    // The fold below is planned from the backlog's size: without JIT (without-jit.ts).
    const { rows: lock } = await sql<{ got: boolean }>`select pg_try_advisory_xact_lock(hashtextextended('tokentrace:usage-compactor', 0)) as got, ${sql.raw(JIT_OFF_FOR_TRANSACTION)}`.execute(trx);
    if (lock[0]?.got !== true) return -1;
    const cols = sql.raw(`spans, tokens, prompt_tokens, completion_tokens, cache_read_tokens, cache_write_tokens, reasoning_tokens,
      cost_usd, priced_spans, unpriced_spans, errors`);
    const { rows } = await sql<{ folded: string; touched: unknown }>`
      with moved as (
        delete from usage_deltas returning *
      ), scalars as (
        insert into usage_rollups as r (project_id, hour, model, ${cols})
        select project_id, hour, model, ${SUMS} from moved group by project_id, hour, model
        order by project_id, hour, model
        on conflict (project_id, hour, model) do update set
          spans = r.spans + excluded.spans, tokens = r.tokens + excluded.tokens,
          prompt_tokens = r.prompt_tokens + excluded.prompt_tokens, completion_tokens = r.completion_tokens + excluded.completion_tokens,
          cache_read_tokens = r.cache_read_tokens + excluded.cache_read_tokens, cache_write_tokens = r.cache_write_tokens + excluded.cache_write_tokens,
          reasoning_tokens = r.reasoning_tokens + excluded.reasoning_tokens, cost_usd = r.cost_usd + excluded.cost_usd,
          priced_spans = r.priced_spans + excluded.priced_spans, unpriced_spans = r.unpriced_spans + excluded.unpriced_spans,
          errors = r.errors + excluded.errors
        returning 1
      ), buckets as (
        select m.project_id, m.hour, m.model, e.key::smallint as key, sum((e.value ->> 0)::bigint) as n, sum((e.value ->> 1)::float8) as total_ms
        from moved m cross join lateral jsonb_each(m.latency) e
        where m.latency is not null
        group by 1, 2, 3, 4
      ), latency as (
        insert into usage_latency as l (project_id, hour, model, key, n, total_ms)
        select project_id, hour, model, key, n, total_ms from buckets
        order by 1, 2, 3, 4
        on conflict (project_id, hour, model, key) do update set n = l.n + excluded.n, total_ms = l.total_ms + excluded.total_ms
        returning 1
      ), latency_all as (
        insert into usage_latency_all as l (project_id, hour, key, n, total_ms)
        select project_id, hour, key, sum(n), sum(total_ms) from buckets
        group by 1, 2, 3
        order by 1, 2, 3
        on conflict (project_id, hour, key) do update set n = l.n + excluded.n, total_ms = l.total_ms + excluded.total_ms
        returning 1
      )
      select (select count(*) from moved) as folded, (select count(*) from scalars) as s,
             (select count(*) from latency) as l, (select count(*) from latency_all) as a,
             (select coalesce(jsonb_agg(distinct jsonb_build_array(project_id, hour)), '[]'::jsonb) from moved where latency is not null) as touched`.execute(trx);
    // Rows that went back to nothing (every span of them deleted or moved away).
    await sql`delete from usage_latency where n = 0`.execute(trx);
    await sql`delete from usage_latency_all where n = 0`.execute(trx);
    await recomputeHourPercentiles(trx, rows[0]?.touched);
    // Every column is a sum over the row's current spans, so no spans means all zero.
    await sql`delete from usage_rollups where spans = 0`.execute(trx);
    return num(rows[0]?.folded);
  });
}
