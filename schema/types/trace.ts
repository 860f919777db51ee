import type { TraceModel } from '../../server/services/models';
import { getTrace, listSpansOfTrace, listTraces, type TracePage } from '../../server/services/traces';
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

const TraceConnectionRef = builder.objectRef<TraceConnectionShape>('TraceConnection').implement({
  authScopes: (c) => ({ projectViewer: c.projectId }),
  fields: (t) => ({
    edges: t.field({ type: [TraceEdgeRef], resolve: (c) => c.edges }),
    pageInfo: t.field({
      type: PageInfoRef,
      resolve: pageInfoOf,
    }),
    totalCount: t.field({ type: 'BigInt', description: 'Traces matching the filter; counted only when asked for.', resolve: (c) => c.totalCount() }),
  }),
});

const TraceFilterInput = builder.inputType('TraceFilter', {
  fields: (t) => ({
    from: t.field({ type: 'DateTime', description: 'Traces that started at or after this time.' }),
    to: t.field({ type: 'DateTime', description: 'Traces that started before this time.' }),
    name: t.string(),
    userId: t.string(),
    sessionId: t.string(),
    model: t.string({ description: 'Traces with at least one span of this model.' }),
    status: t.field({ type: SpanStatusEnum, description: 'ERROR: at least one span failed; OK: none did.' }),
    tags: t.stringList({ description: 'Traces carrying all of these tags.' }),
    minCostUsd: t.float(),
  }),
});

builder.objectFields(ProjectRef, (t) => ({
  traces: t.field({
    type: TraceConnectionRef,
    description: 'Newest first; forward pagination with first/after.',
    args: {
      filter: t.arg({ type: TraceFilterInput }),
      first: t.arg.int(),
      after: t.arg.string({ extensions: pageCursorArgument('trace') }),
    },
    resolve: async (project, args, ctx) => ({
      ...(await listTraces(ctx, project.id, args.filter, args.first, args.after)),
      projectId: project.id,
    }),
  }),
  trace: t.field({
    type: TraceRef,
    nullable: true,
    args: { id: t.arg.id({ required: true, extensions: clientMadeId }) },
    resolve: (project, args, ctx) => getTrace(ctx, project.id, String(args.id)),
  }),
}));
