import type { ModelUsageRow, UsageBucketRow } from '../../server/model/usage-rows';
import { getModelsOfTrace, getUsage, type Usage } from '../../server/services/usage';
import { LATENCY_BUCKET_RATIO } from '../../server/services/usage';
import { builder } from '../builder';
import { ProjectRef } from './project';
import { TraceRef } from './trace';

// The dashboard's read models that sit beside the core types: usage over time for the charts,
// and the models a trace used for the trace list. Attached from here so project.ts and
// trace.ts stay as they are.

const UsageBucketEnum = builder.enumType('UsageBucket', {
  values: ['HOUR', 'DAY'] as const,
  description: 'The width of one point of a usage series; buckets are cut in UTC.',
});

const UsagePointRef = builder.objectRef<UsageBucketRow & { projectId: string }>('UsagePoint').implement({
  authScopes: (p) => ({ projectViewer: p.projectId }),
  fields: (t) => ({
    start: t.expose('start', { type: 'DateTime', description: 'The start of the bucket (UTC).' }),
    spans: t.expose('spans', { type: 'BigInt' }),
    tokens: t.expose('tokens', { type: 'BigInt' }),
    promptTokens: t.expose('promptTokens', { type: 'BigInt', description: 'Counted once, like tokens.' }),
    completionTokens: t.expose('completionTokens', { type: 'BigInt' }),
    cacheReadTokens: t.expose('cacheReadTokens', { type: 'BigInt', description: 'The part of promptTokens read from the provider’s prompt cache.' }),
    cacheWriteTokens: t.expose('cacheWriteTokens', { type: 'BigInt', description: 'The part of promptTokens written to the provider’s prompt cache.' }),
    reasoningTokens: t.expose('reasoningTokens', { type: 'BigInt', description: 'The part of completionTokens spent on reasoning.' }),
    costUsd: t.exposeFloat('costUsd', { description: 'Spans without a known price count as 0; prefer knownCostUsd with unpricedSpans.' }),
    knownCostUsd: t.exposeFloat('knownCostUsd', {
      nullable: true,
      description: 'The cost of the spans with a known cost; null (unknown) when every span of the bucket that names a model lacks one. 0 for an empty bucket.',
    }),
    unpricedSpans: t.expose('unpricedSpans', { type: 'BigInt', description: 'Spans that name a model but have no cost: no price for the model, or no token counts reported.' }),
    errors: t.expose('errors', { type: 'BigInt' }),
    p50LatencyMs: t.exposeFloat('p50LatencyMs', {
      nullable: true,
      description: `Null when no span of the bucket has ended. From a histogram: within ${Math.round((LATENCY_BUCKET_RATIO - 1) * 100)}% of the exact percentile (exact when a user or tag filter is given).`,
    }),
    p95LatencyMs: t.exposeFloat('p95LatencyMs', { nullable: true, description: `Within ${Math.round((LATENCY_BUCKET_RATIO - 1) * 100)}% of the exact percentile, as p50LatencyMs.` }),
  }),
});

const ModelUsageRef = builder.objectRef<ModelUsageRow & { projectId: string }>('ModelUsage').implement({
  authScopes: (m) => ({ projectViewer: m.projectId }),
  fields: (t) => ({
    model: t.exposeString('model'),
    spans: t.expose('spans', { type: 'BigInt' }),
    tokens: t.expose('tokens', { type: 'BigInt' }),
    promptTokens: t.expose('promptTokens', { type: 'BigInt', description: 'Counted once, like tokens.' }),
    completionTokens: t.expose('completionTokens', { type: 'BigInt' }),
    cacheReadTokens: t.expose('cacheReadTokens', { type: 'BigInt', description: 'The part of promptTokens read from the provider’s prompt cache.' }),
    cacheWriteTokens: t.expose('cacheWriteTokens', { type: 'BigInt', description: 'The part of promptTokens written to the provider’s prompt cache.' }),
    reasoningTokens: t.expose('reasoningTokens', { type: 'BigInt', description: 'The part of completionTokens spent on reasoning.' }),
    costUsd: t.exposeFloat('costUsd', { description: 'Unpriced spans count as 0; prefer knownCostUsd.' }),
    knownCostUsd: t.exposeFloat('knownCostUsd', { nullable: true, description: 'Null when no span of the model has a cost (unknown, not free).' }),
    unpricedSpans: t.expose('unpricedSpans', { type: 'BigInt', description: 'Spans of the model without a cost.' }),
  }),
});

const UsageFilterInput = builder.inputType('UsageFilter', {
  description: 'Narrows usage. model is answered from the hourly roll-ups; userId and tags (trace attributes) scan the spans of the range.',
  fields: (t) => ({
    model: t.string({ description: 'Spans of this model only.' }),
    userId: t.string({ description: 'Spans of traces of this end user.' }),
    tags: t.stringList({ description: 'Spans of traces carrying all of these tags (at most 10).' }),
  }),
});

const UsageRef = builder.objectRef<Usage>('Usage').implement({
  authScopes: (u) => ({ projectViewer: u.projectId }),
  fields: (t) => ({
    series: t.field({
      type: [UsagePointRef],
      description: 'One point per bucket of the range, empty buckets included.',
      resolve: (u) => u.series.map((p) => ({ ...p, projectId: u.projectId })),
    }),
    byModel: t.field({
      type: [ModelUsageRef],
      description: 'Spans with a model, most expensive first.',
      resolve: (u) => u.byModel.map((m) => ({ ...m, projectId: u.projectId })),
    }),
  }),
});

builder.objectField(ProjectRef, 'usage', (t) =>
  t.field({
    type: UsageRef,
    description:
      'VIEWER+. Spans, tokens, cost, errors and latency per bucket from `from` (inclusive) to `to`; at most 400 buckets. The range is whole hours: `from` is rounded down to its hour, `to` up.',
    authScopes: (project) => ({ projectViewer: project.id }),
    args: {
      from: t.arg({ type: 'DateTime', required: true }),
      to: t.arg({ type: 'DateTime', required: true }),
      bucket: t.arg({ type: UsageBucketEnum, required: true }),
      filter: t.arg({ type: UsageFilterInput }),
    },
    resolve: (project, args, ctx) => getUsage(ctx, project.id, args.from, args.to, args.bucket, args.filter ?? {}),
  }),
);

builder.objectField(TraceRef, 'models', (t) =>
  t.stringList({
    description: 'The distinct models the trace’s spans used, sorted.',
    authScopes: (trace) => ({ projectViewer: trace.projectId }),
    resolve: (trace, _args, ctx) => getModelsOfTrace(ctx, trace.projectId, trace.id),
  }),
);
