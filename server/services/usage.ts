import type { RequestContext } from '../context';
import {
  selectModelsOfTraces,
  selectUsageByModel,
  selectUsageSeries,
  type ModelUsageRow,
  type UsageBucketRow,
  type UsageTraceFilter,
} from '../db/repositories/usage';
import { selectRolledUpByModel, selectRolledUpSeries } from '../db/repositories/usage-rollups';
import { badInput } from '../errors';

// Usage over time for the dashboard's charts, then every bucket of the range filled in (a quiet
// hour is a zero, not a gap the chart would draw across). Read from the hourly roll-ups kept by
// triggers on spans (docs/usage-rollups.md), so the cost of a read follows the hours and models
// of the range, not its spans. The range is whole hours, the roll-ups' grain: `from` is rounded
// down and `to` up. Filters on the trace (user, tags) are not in the roll-ups and scan the spans.

/** The latency histogram's bucket ratio: a percentile is within (ratio − 1) of the exact one. */
export { LATENCY_BUCKET_RATIO } from '../db/repositories/usage-rollups';

export type UsageBucket = 'HOUR' | 'DAY';

/** More buckets than this is a chart nobody can read, and a scan nobody should trigger by accident. */
export const MAX_USAGE_BUCKETS = 400;

const BUCKET_MS: Record<UsageBucket, number> = { HOUR: 3_600_000, DAY: 86_400_000 };

export interface Usage {
  projectId: string;
  series: UsageBucketRow[];
  byModel: ModelUsageRow[];
}

/** The UTC start of the bucket holding `at`. */
export function bucketStart(at: Date, bucket: UsageBucket): Date {
  const ms = BUCKET_MS[bucket];
  return new Date(Math.floor(at.getTime() / ms) * ms);
}

/** Every bucket start from the one holding `from` up to (not including) `to`. */
export function bucketStarts(from: Date, to: Date, bucket: UsageBucket): Date[] {
  const ms = BUCKET_MS[bucket];
  const starts: Date[] = [];
  for (let t = bucketStart(from, bucket).getTime(); t < to.getTime(); t += ms) starts.push(new Date(t));
  return starts;
}

export function validateUsageRange(from: Date, to: Date, bucket: UsageBucket): void {
  if (Number.isNaN(from.getTime()) || Number.isNaN(to.getTime())) throw badInput('from and to must be valid dates.', { field: 'from' });
  if (to.getTime() <= from.getTime()) throw badInput('to must be after from.', { field: 'to' });
  const count = Math.ceil((to.getTime() - bucketStart(from, bucket).getTime()) / BUCKET_MS[bucket]);
  if (count > MAX_USAGE_BUCKETS) {
    throw badInput(`The range spans ${count} ${bucket.toLowerCase()} buckets; at most ${MAX_USAGE_BUCKETS} are allowed. Use a shorter range or a larger bucket.`, {
      field: 'to',
      maxBuckets: MAX_USAGE_BUCKETS,
    });
  }
}

export interface UsageFilter extends UsageTraceFilter {
  model?: string | null;
}

const HOUR_MS = 3_600_000;

/** The range as the roll-ups hold it: from the start of `from`'s hour to the end of `to`'s. */
export function wholeHours(from: Date, to: Date): { from: Date; to: Date } {
  return {
    from: new Date(Math.floor(from.getTime() / HOUR_MS) * HOUR_MS),
    to: new Date(Math.ceil(to.getTime() / HOUR_MS) * HOUR_MS),
  };
}

/** Whether the filter needs trace attributes, which only a scan of the spans can answer. */
export function needsSpanScan(filter: UsageFilter): boolean {
  return filter.userId != null || (filter.tags != null && filter.tags.length > 0);
}

/** Tags a usage filter may name: each is a containment test on the traces. */
export const MAX_USAGE_FILTER_TAGS = 10;

export async function getUsage(ctx: RequestContext, projectId: string, from: Date, to: Date, bucket: UsageBucket, filter: UsageFilter = {}): Promise<Usage> {
  validateUsageRange(from, to, bucket);
  if (filter.tags && filter.tags.length > MAX_USAGE_FILTER_TAGS) {
    throw badInput(`A usage filter names at most ${MAX_USAGE_FILTER_TAGS} tags.`, { field: 'filter.tags', maxTags: MAX_USAGE_FILTER_TAGS });
  }
  const range = wholeHours(from, to);
  const { db } = ctx.deps;
  const unit = bucket === 'HOUR' ? 'hour' : 'day';
  const model = filter.model ?? null;
  const [rows, byModel] = needsSpanScan(filter)
    ? await Promise.all([selectUsageSeries(db, projectId, range.from, range.to, unit, filter), selectUsageByModel(db, projectId, range.from, range.to, filter)])
    : await Promise.all([selectRolledUpSeries(db, projectId, range.from, range.to, unit, model), selectRolledUpByModel(db, projectId, range.from, range.to, model)]);
  const byStart = new Map(rows.map((r) => [r.start.getTime(), r]));
  const series = bucketStarts(range.from, range.to, bucket).map((start) => byStart.get(start.getTime()) ?? emptyBucket(start));
  return { projectId, series, byModel };
}

function emptyBucket(start: Date): UsageBucketRow {
  return {
    start,
    spans: 0,
    tokens: 0,
    promptTokens: 0,
    completionTokens: 0,
    cacheReadTokens: 0,
    cacheWriteTokens: 0,
    reasoningTokens: 0,
    costUsd: 0,
    knownCostUsd: 0,
    unpricedSpans: 0,
    errors: 0,
    p50LatencyMs: null,
    p95LatencyMs: null,
  };
}

/**
 * The distinct models of a trace. The calls made while one response resolves (one per row of a
 * trace list) are collected and answered by one query; state lives per request.
 */
export function getModelsOfTrace(ctx: RequestContext, projectId: string, traceId: string): Promise<string[]> {
  let perProject = modelLoaders.get(ctx);
  if (!perProject) modelLoaders.set(ctx, (perProject = new Map()));
  let loader = perProject.get(projectId);
  if (!loader) perProject.set(projectId, (loader = createModelLoader(ctx, projectId)));
  return loader(traceId);
}

type ModelLoader = (traceId: string) => Promise<string[]>;
const modelLoaders = new WeakMap<RequestContext, Map<string, ModelLoader>>();

function createModelLoader(ctx: RequestContext, projectId: string): ModelLoader {
  const cache = new Map<string, Promise<string[]>>();
  let queue: { id: string; resolve: (v: string[]) => void; reject: (e: unknown) => void }[] = [];
  const flush = async () => {
    const batch = queue;
    queue = [];
    try {
      const models = await selectModelsOfTraces(ctx.deps.db, projectId, batch.map((b) => b.id));
      for (const b of batch) b.resolve(models.get(b.id) ?? []);
    } catch (err) {
      for (const b of batch) b.reject(err);
    }
  };
  return (traceId) => {
    let hit = cache.get(traceId);
    if (!hit) {
      hit = new Promise<string[]>((resolve, reject) => {
        // setImmediate, not a microtask: each row's auth checks settle in their own microtasks.
        if (queue.length === 0) setImmediate(() => void flush());
        queue.push({ id: traceId, resolve, reject });
      });
      cache.set(traceId, hit);
    }
    return hit;
  };
}
