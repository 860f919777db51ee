import type { TraceModel } from '../../server/services/models';
import { DEFAULT_COUNT_BOUND, listTraces, type BoundedCount, type TracePage } from '../../server/services/trace-list';
import { getTrace, listSpansOfTrace } from '../../server/services/traces';
import { clientMadeId, pageCursorArgument } from '../argument-guard';
import { builder } from '../builder';
import { SpanStatusEnum } from './enums';
import { PageInfoRef, pageInfoOf } from './page-info';
import { ProjectRef } from './project';
import { SpanRef } from './span';

export const TraceRef = builder.objectRef<TraceModel>('Trace').implement({
  authScopes: (trace) => ({ projectViewer: trace.projectId }),
  fields: (t) => ({
    id: t.exposeID('id'),
    name: t.exposeString('name', { nullable: true }),
    userId: t.exposeString('userId', { nullable: true }),
    sessionId: t.exposeString('sessionId', { nullable: true }),
    tags: t.exposeStringList('tags'),
    // Trace metadata often quotes content too: hidden like span content (schema/types/span.ts).
    metadata: t.expose('metadata', {
      type: 'JSON',
      nullable: true,
      description: 'Content: null for a VIEWER when the project’s content is ADMINS_ONLY.',
      authScopes: (trace) => ({ contentReader: trace.projectId }),
      unauthorizedResolver: () => null,
    }),
    startTime: t.expose('startTime', { type: 'DateTime' }),
    endTime: t.expose('endTime', { type: 'DateTime', nullable: true }),
    durationMs: t.float({
      nullable: true,
      resolve: (tr) => (tr.endTime ? tr.endTime.getTime() - tr.startTime.getTime() : null),
    }),
    totalTokens: t.expose('totalTokens', { type: 'BigInt' }),
    totalCostUsd: t.exposeFloat('totalCostUsd', { nullable: true }),
    spanCount: t.expose('spanCount', { type: 'BigInt' }),
    errorCount: t.expose('errorCount', { type: 'BigInt' }),
    spans: t.field({
      type: [SpanRef],
      description: 'In start-time order. Content loads only if input or output is selected.',
      resolve: (tr, _args, ctx) => listSpansOfTrace(ctx, tr.projectId, tr.id),
    }),
  }),
});

type TraceConnectionShape = TracePage & { projectId: string };
type TraceEdgeShape = TracePage['edges'][number];

const TraceEdgeRef = builder.objectRef<TraceEdgeShape>('TraceEdge').implement({
  authScopes: (edge) => ({ projectViewer: edge.node.projectId }),
  fields: (t) => ({
    cursor: t.exposeString('cursor'),
    node: t.field({ type: TraceRef, resolve: (e) => e.node }),
  }),
});

export const TraceConnectionRef = builder.objectRef<TraceConnectionShape>('TraceConnection').implement({
  authScopes: (c) => ({ projectViewer: c.projectId }),
  fields: (t) => ({
    edges: t.field({ type: [TraceEdgeRef], resolve: (c) => c.edges }),
    pageInfo: t.field({
      type: PageInfoRef,
      resolve: pageInfoOf,
    }),
    totalCount: t.field({ type: 'BigInt',
      description: 'Traces matching the filter, counted exactly (every match is read); prefer boundedCount on large projects.',
      resolve: (c) => c.totalCount(),
    }),
    boundedCount: t.field({
      type: BoundedCountRef,
      description: 'Traces matching the filter, counted up to `max` (default 10,000) and no further: "10,000+" stays cheap.',
      args: { max: t.arg.int({ defaultValue: DEFAULT_COUNT_BOUND }) },
      resolve: async (c, args) => ({ ...(await c.boundedCount(args.max ?? DEFAULT_COUNT_BOUND)), projectId: c.projectId }),
    }),
  }),
});

const BoundedCountRef = builder.objectRef<BoundedCount & { projectId: string }>('BoundedCount').implement({
  description: 'A count that stops at a bound: exact below it, "at least `count`" at it.',
  authScopes: (c) => ({ projectViewer: c.projectId }),
  fields: (t) => ({
    count: t.expose('count', { type: 'BigInt', description: 'The exact count, or the bound when `exact` is false.' }),
    exact: t.exposeBoolean('exact', { description: 'False when more match than the bound: show "10,000+".' }),
  }),
});

const TraceOrderFieldEnum = builder.enumType('TraceOrderField', {
  values: {
    START_TIME: { description: 'When the trace started (the default).' },
    DURATION: { description: 'End minus start; traces still running come last.' },
    COST: { description: 'Total cost; traces without a known cost come last.' },
    TOKENS: { description: 'Total tokens.' },
  } as const,
});

const OrderDirectionEnum = builder.enumType('OrderDirection', { values: ['ASC', 'DESC'] as const });

const TraceOrderInput = builder.inputType('TraceOrder', {
  description: 'A sort of the trace list; every sort pages with its own cursors (a cursor of one sort is refused by another).',
  fields: (t) => ({
    field: t.field({ type: TraceOrderFieldEnum, required: true }),
    direction: t.field({ type: OrderDirectionEnum, defaultValue: 'DESC' }),
  }),
});

const MetadataFilterInput = builder.inputType('MetadataFilter', {
  description: 'A top-level key of the trace metadata; with `value`, that key must hold it (a string, or a number or boolean written as text).',
  fields: (t) => ({
    key: t.string({ required: true }),
    value: t.string(),
  }),
});

const TraceFilterInput = builder.inputType('TraceFilter', {
  fields: (t) => ({
    from: t.field({ type: 'DateTime', description: 'Traces that started at or after this time.' }),
    to: t.field({ type: 'DateTime', description: 'Traces that started before this time.' }),
    name: t.string({ description: 'Exact trace name.' }),
    nameContains: t.string({ description: 'Case-insensitive substring of the trace name.' }),
    userId: t.string(),
    sessionId: t.string(),
    model: t.string({ description: 'Traces with at least one span of this model.' }),
    modelContains: t.string({ description: 'Traces with at least one span whose model contains this, case-insensitively.' }),
    status: t.field({ type: SpanStatusEnum, description: 'ERROR: at least one span failed; OK: none did.' }),
    tags: t.stringList({ description: 'Traces carrying all of these tags.' }),
    minCostUsd: t.float(),
    metadata: t.field({ type: [MetadataFilterInput], description: 'Traces whose metadata matches all of these (at most 10).' }),
  }),
});

builder.objectFields(ProjectRef, (t) => ({
  traces: t.field({
    type: TraceConnectionRef,
    description: 'Newest first unless `orderBy` says otherwise; forward pagination with first/after (keyset, fast at any depth).',
    args: {
      filter: t.arg({ type: TraceFilterInput }),
      first: t.arg.int(),
      after: t.arg.string({ extensions: pageCursorArgument('trace') }),
      orderBy: t.arg({ type: TraceOrderInput }),
    },
    resolve: async (project, args, ctx) => ({
      ...(await listTraces(ctx, project.id, args.filter, args.first, args.after, args.orderBy)),
      projectId: project.id,
    }),
  }),
  trace: t.field({
    type: TraceRef,
    nullable: true,
    args: { id: t.arg.id({ required: true, extensions: clientMadeId }) },
    resolve: (project, args, ctx) => getTrace(ctx, project.id, args.id),
  }),
}));
