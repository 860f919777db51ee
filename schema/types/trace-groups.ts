import { listTraces } from '../../server/services/trace-list';
import { getTraceGroup, listTraceGroups, type TraceGroupModel, type TraceGroupPage } from '../../server/services/trace-groups';
import { pageCursorArgument } from '../argument-guard';
import { builder } from '../builder';
import { PageInfoRef, pageInfoOf } from './page-info';
import { ProjectRef } from './project';
import { TraceConnectionRef } from './trace';

// Sessions (traces grouped by sessionId) and end users (by userId): VIEWER+, like the traces
// they are made of. Token sums are Float: a busy user's lifetime total outgrows a 32-bit Int.

type GroupConnection = TraceGroupPage;

type Types = typeof builder extends PothosSchemaTypes.SchemaBuilder<infer T> ? T : never;

/** The aggregates sessions and end users share. */
function groupFields(t: PothosSchemaTypes.ObjectFieldBuilder<Types, TraceGroupModel>) {
  return {
    id: t.exposeString('id'),
    traceCount: t.expose('traceCount', { type: 'BigInt' }),
    totalTokens: t.expose('totalTokens', { type: 'BigInt', description: 'Tokens of the traces (reported usage only).' }),
    totalCostUsd: t.exposeFloat('totalCostUsd', { nullable: true, description: 'Known cost of the traces; null when none has a known cost.' }),
    unpricedTraces: t.expose('unpricedTraces', { type: 'BigInt', description: 'Traces whose cost is unknown: left out of totalCostUsd.' }),
    errorCount: t.expose('errorCount', { type: 'BigInt', description: 'Failed spans across the traces.' }),
    errorTraces: t.expose('errorTraces', { type: 'BigInt', description: 'Traces with at least one failed span.' }),
    firstStartTime: t.expose('firstStartTime', { type: 'DateTime' }),
    lastStartTime: t.expose('lastStartTime', { type: 'DateTime', description: 'When the latest trace started: the order of the list.' }),
    lastEndTime: t.expose('lastEndTime', { type: 'DateTime', nullable: true }),
    durationMs: t.float({
      nullable: true,
      description: 'From the first trace’s start to the last end.',
      resolve: (g: TraceGroupModel) => (g.lastEndTime ? g.lastEndTime.getTime() - g.firstStartTime.getTime() : null),
    }),
  };
}

export const TraceSessionRef = builder.objectRef<TraceGroupModel>('TraceSession').implement({
  description: 'The traces that share a sessionId: a conversation.',
  authScopes: (s) => ({ projectViewer: s.projectId }),
  fields: (t) => ({
    ...groupFields(t),
    userIds: t.stringList({ description: 'Up to five end users seen in the session.', resolve: (s) => s.otherIds }),
    traces: t.field({
      type: TraceConnectionRef,
      description: 'The session’s traces in the order they started: the conversation.',
      args: { first: t.arg.int(), after: t.arg.string({ extensions: pageCursorArgument('trace') }) },
      resolve: async (s, args, ctx) => ({
        ...(await listTraces(ctx, s.projectId, { sessionId: s.id }, args.first, args.after, { field: 'START_TIME', direction: 'ASC' })),
        projectId: s.projectId,
      }),
    }),
  }),
});

export const EndUserRef = builder.objectRef<TraceGroupModel>('EndUser').implement({
  description: 'A user of the traced application (the traces’ userId), not a tokentrace account.',
  authScopes: (u) => ({ projectViewer: u.projectId }),
  fields: (t) => ({
    ...groupFields(t),
    sessionCount: t.expose('otherCount', { type: 'BigInt', description: 'Distinct sessions.' }),
    traces: t.field({
      type: TraceConnectionRef,
      description: 'The user’s traces, newest first.',
      args: { first: t.arg.int(), after: t.arg.string({ extensions: pageCursorArgument('trace') }) },
      resolve: async (u, args, ctx) => ({ ...(await listTraces(ctx, u.projectId, { userId: u.id }, args.first, args.after)), projectId: u.projectId }),
    }),
  }),
});

function connection<T extends TraceGroupModel>(name: string, nodeRef: typeof TraceSessionRef) {
  const edge = builder.objectRef<{ cursor: string; node: T }>(`${name}Edge`).implement({
    authScopes: (e) => ({ projectViewer: e.node.projectId }),
    fields: (t) => ({ cursor: t.exposeString('cursor'), node: t.field({ type: nodeRef, resolve: (e) => e.node }) }),
  });
  return builder.objectRef<GroupConnection>(`${name}Connection`).implement({
    authScopes: (c) => ({ projectViewer: c.projectId }),
    fields: (t) => ({
      edges: t.field({ type: [edge], resolve: (c) => c.edges as { cursor: string; node: T }[] }),
      pageInfo: t.field({ type: PageInfoRef, resolve: pageInfoOf }),
    }),
  });
}

const TraceSessionConnectionRef = connection('TraceSession', TraceSessionRef);
const EndUserConnectionRef = connection('EndUser', EndUserRef);

const SessionFilterInput = builder.inputType('SessionFilter', {
  fields: (t) => ({
    from: t.field({ type: 'DateTime', description: 'Only traces that started at or after this time count.' }),
    to: t.field({ type: 'DateTime', description: 'Only traces that started before this time count.' }),
    idContains: t.string({ description: 'Case-insensitive substring of the session id.' }),
    userId: t.string({ description: 'Sessions with a trace of this end user.' }),
  }),
});

const EndUserFilterInput = builder.inputType('EndUserFilter', {
  fields: (t) => ({
    from: t.field({ type: 'DateTime', description: 'Only traces that started at or after this time count.' }),
    to: t.field({ type: 'DateTime', description: 'Only traces that started before this time count.' }),
    idContains: t.string({ description: 'Case-insensitive substring of the user id.' }),
  }),
});

builder.objectFields(ProjectRef, (t) => ({
  sessions: t.field({
    type: TraceSessionConnectionRef,
    description: 'VIEWER+. Traces grouped by sessionId, latest activity first; forward pagination with first/after.',
    authScopes: (project) => ({ projectViewer: project.id }),
    args: { filter: t.arg({ type: SessionFilterInput }), first: t.arg.int(), after: t.arg.string() },
    resolve: (project, args, ctx) => listTraceGroups(ctx, project.id, 'session', args.filter, args.first, args.after),
  }),
  session: t.field({
    type: TraceSessionRef,
    nullable: true,
    description: 'VIEWER+. One session by its sessionId; null when no trace carries it.',
    authScopes: (project) => ({ projectViewer: project.id }),
    args: { id: t.arg.string({ required: true }) },
    resolve: (project, args, ctx) => getTraceGroup(ctx, project.id, 'session', args.id),
  }),
  endUsers: t.field({
    type: EndUserConnectionRef,
    description: 'VIEWER+. Traces grouped by userId, most recently seen first; forward pagination with first/after.',
    authScopes: (project) => ({ projectViewer: project.id }),
    args: { filter: t.arg({ type: EndUserFilterInput }), first: t.arg.int(), after: t.arg.string() },
    resolve: (project, args, ctx) => listTraceGroups(ctx, project.id, 'user', args.filter, args.first, args.after),
  }),
  endUser: t.field({
    type: EndUserRef,
    nullable: true,
    description: 'VIEWER+. One end user by their userId; null when no trace carries it.',
    authScopes: (project) => ({ projectViewer: project.id }),
    args: { id: t.arg.string({ required: true }) },
    resolve: (project, args, ctx) => getTraceGroup(ctx, project.id, 'user', args.id),
  }),
}));
