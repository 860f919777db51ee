import { sql, type Kysely } from 'kysely';
import type { Database } from '../tables';

type Db = Kysely<Database>;

export type UsageBucketUnit = 'hour' | 'day';

/** Token sums beside the total; like it, counted once (usage_in_descendants). */
export interface UsageTokenParts {
  promptTokens: number;
  completionTokens: number;
  cacheReadTokens: number;
  cacheWriteTokens: number;
  reasoningTokens: number;
}

/** Filters that the roll-ups cannot answer (they are per project × hour × model): trace attributes. */
export interface UsageTraceFilter {
  userId?: string | null;
  tags?: readonly string[] | null;
}

export interface UsageBucketRow extends UsageTokenParts {
  start: Date;
  spans: number;
  tokens: number;
  costUsd: number;
  /** Cost of the spans with a known price; null when the bucket's spans with a model all lack one. */
  knownCostUsd: number | null;
  /** Spans that name a model but have no cost (no price for the model, or no token counts). */
  unpricedSpans: number;
  errors: number;
  p50LatencyMs: number | null;
  p95LatencyMs: number | null;
}

export interface ModelUsageRow extends UsageTokenParts {
  model: string;
  spans: number;
  tokens: number;
  costUsd: number;
  /** Null when no span of the model has a cost: unknown, not free. */
  knownCostUsd: number | null;
  unpricedSpans: number;
}

// "Unpriced": a span that names a model but has no cost. Its cost is unknown, which a sum that
// treats null as 0 would silently turn into "free".
const UNPRICED = sql`spans.model is not null and spans.cost_usd is null`;
const KNOWN_COST = sql<string | null>`case when count(spans.cost_usd) = 0 and count(*) filter (where ${UNPRICED}) > 0 then null else coalesce(sum(spans.cost_usd) filter (where not spans.usage_in_descendants), 0) end`;

// Aggregates over spans by start time. Tokens and cost skip usage that a deeper span of the same
// trace also reports (spans.usage_in_descendants, kept by ingest), so it is counted once. Buckets are cut in UTC (the three-argument date_trunc),
// so a day means the same thing whatever the session's time zone is. pg returns bigint and
// numeric as strings and PGlite may return bigint: both are normalised with Number().

const TOKEN_PARTS = [
  sql<string>`coalesce(sum(spans.prompt_tokens) filter (where not spans.usage_in_descendants), 0)`.as('prompt_tokens'),
  sql<string>`coalesce(sum(spans.completion_tokens) filter (where not spans.usage_in_descendants), 0)`.as('completion_tokens'),
  sql<string>`coalesce(sum(spans.cache_read_tokens) filter (where not spans.usage_in_descendants), 0)`.as('cache_read_tokens'),
  sql<string>`coalesce(sum(spans.cache_write_tokens) filter (where not spans.usage_in_descendants), 0)`.as('cache_write_tokens'),
  sql<string>`coalesce(sum(spans.reasoning_tokens) filter (where not spans.usage_in_descendants), 0)`.as('reasoning_tokens'),
] as const;

function tokenParts(r: { prompt_tokens: unknown; completion_tokens: unknown; cache_read_tokens: unknown; cache_write_tokens: unknown; reasoning_tokens: unknown }): UsageTokenParts {
  return {
    promptTokens: num(r.prompt_tokens),
    completionTokens: num(r.completion_tokens),
    cacheReadTokens: num(r.cache_read_tokens),
    cacheWriteTokens: num(r.cache_write_tokens),
    reasoningTokens: num(r.reasoning_tokens),
  };
}

// Spans of traces with the given user and every given tag: the traces through their own
// indexes (by user, GIN on tags), then their spans through spans_trace_idx.
function traceFilter(projectId: string, filter: UsageTraceFilter) {
  const parts = [];
  if (filter.userId != null) parts.push(sql`t.user_id = ${filter.userId}`);
  if (filter.tags != null && filter.tags.length > 0) parts.push(sql`t.tags @> ${[...filter.tags]}::text[]`);
  if (parts.length === 0) return sql<boolean>`true`;
  return sql<boolean>`spans.trace_id in (select t.id from traces t where t.project_id = ${projectId} and ${sql.join(parts, sql` and `)})`;
}

const num = (v: unknown): number => (v === null || v === undefined ? 0 : Number(v));
const numOrNull = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

export async function selectUsageSeries(
  db: Db,
  projectId: string,
  from: Date,
  to: Date,
  unit: UsageBucketUnit,
  filter: UsageTraceFilter & { model?: string | null } = {},
): Promise<UsageBucketRow[]> {
  const bucket = sql<Date>`date_trunc(${sql.lit(unit)}, spans.start_time, 'UTC')`;
  const latency = sql`extract(epoch from (spans.end_time - spans.start_time)) * 1000`;
  const rows = await db
    .selectFrom('spans')
    .select([
      bucket.as('start'),
      sql<string>`count(*)`.as('spans'),
      sql<string>`coalesce(sum(spans.total_tokens) filter (where not spans.usage_in_descendants), 0)`.as('tokens'),
      ...TOKEN_PARTS,
      sql<string>`coalesce(sum(spans.cost_usd) filter (where not spans.usage_in_descendants), 0)`.as('cost_usd'),
      KNOWN_COST.as('known_cost_usd'),
      sql<string>`count(*) filter (where ${UNPRICED})`.as('unpriced'),
      sql<string>`count(*) filter (where spans.status = 'ERROR')`.as('errors'),
      sql<number | null>`percentile_cont(0.5) within group (order by ${latency})`.as('p50'),
      sql<number | null>`percentile_cont(0.95) within group (order by ${latency})`.as('p95'),
    ])
    .where('spans.project_id', '=', projectId)
    .where('spans.start_time', '>=', from)
    .where('spans.start_time', '<', to)
    .$if(filter.model != null, (q) => q.where('spans.model', '=', filter.model!))
    .where(traceFilter(projectId, filter))
    .groupBy(sql`1`)
    .orderBy(sql`1`)
    .execute();
  return rows.map((r) => ({
    start: new Date(r.start),
    spans: num(r.spans),
    tokens: num(r.tokens),
    ...tokenParts(r),
    costUsd: num(r.cost_usd),
    knownCostUsd: numOrNull(r.known_cost_usd),
    unpricedSpans: num(r.unpriced),
    errors: num(r.errors),
    p50LatencyMs: numOrNull(r.p50),
    p95LatencyMs: numOrNull(r.p95),
  }));
}

export async function selectUsageByModel(
  db: Db,
  projectId: string,
  from: Date,
  to: Date,
  filter: UsageTraceFilter & { model?: string | null } = {},
): Promise<ModelUsageRow[]> {
  const rows = await db
    .selectFrom('spans')
    .select([
      'spans.model',
      sql<string>`count(*)`.as('spans'),
      sql<string>`coalesce(sum(spans.total_tokens) filter (where not spans.usage_in_descendants), 0)`.as('tokens'),
      ...TOKEN_PARTS,
      sql<string>`coalesce(sum(spans.cost_usd) filter (where not spans.usage_in_descendants), 0)`.as('cost_usd'),
      KNOWN_COST.as('known_cost_usd'),
      sql<string>`count(*) filter (where ${UNPRICED})`.as('unpriced'),
    ])
    .where('spans.project_id', '=', projectId)
    .where('spans.start_time', '>=', from)
    .where('spans.start_time', '<', to)
    .where('spans.model', 'is not', null)
    .$if(filter.model != null, (q) => q.where('spans.model', '=', filter.model!))
    .where(traceFilter(projectId, filter))
    .groupBy('spans.model')
    .orderBy(sql`coalesce(sum(spans.cost_usd) filter (where not spans.usage_in_descendants), 0)`, 'desc')
    .orderBy(sql`count(*)`, 'desc')
    .orderBy('spans.model')
    .execute();
  return rows.map((r) => ({
    model: r.model ?? '',
    spans: num(r.spans),
    tokens: num(r.tokens),
    ...tokenParts(r),
    costUsd: num(r.cost_usd),
    knownCostUsd: numOrNull(r.known_cost_usd),
    unpricedSpans: num(r.unpriced),
  }));
}

/** The distinct models of each trace, for the trace list (one query for a whole page). */
export async function selectModelsOfTraces(db: Db, projectId: string, traceIds: readonly string[]): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  if (traceIds.length === 0) return out;
  const rows = await db
    .selectFrom('spans')
    .select(['spans.trace_id', 'spans.model'])
    .distinct()
    .where('spans.project_id', '=', projectId)
    .where('spans.trace_id', 'in', [...traceIds])
    .where('spans.model', 'is not', null)
    .orderBy('spans.trace_id')
    .orderBy('spans.model')
    .execute();
  for (const r of rows) {
    const list = out.get(r.trace_id) ?? [];
    list.push(r.model ?? '');
    out.set(r.trace_id, list);
  }
  return out;
}
