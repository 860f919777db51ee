import { listContentAccessLog, type ContentAccessEntryModel, type ContentAccessPage } from '../../server/services/access-log/list-access-log';
import { clientMadeId } from '../argument-guard';
import { builder } from '../builder';
import { AuditActorRef } from './audit';
import { PageInfoRef, pageInfoOf } from './page-info';
import { ProjectRef } from './project';

// Who read span content (projects with auditContentReads on). ADMIN+ everywhere: an entry
// names people and what they looked at.

const ContentAccessEntryRef = builder.objectRef<ContentAccessEntryModel>('ContentAccessEntry').implement({
  description: 'One reader’s read of span content in one trace, in one request (or export).',
  authScopes: (e) => ({ projectAdmin: e.projectId }),
  fields: (t) => ({
    id: t.exposeID('id'),
    at: t.expose('at', { type: 'DateTime' }),
    actor: t.field({ type: AuditActorRef, resolve: (e) => ({ ...e.actor, projectId: e.projectId }) }),
    via: t.exposeString('via', { description: '`graphql` (the API and dashboard, live tail included) or `export`.' }),
    traceId: t.exposeID('traceId'),
    spanIds: t.exposeIDList('spanIds', { description: 'The spans whose input or output was read.' }),
    ip: t.exposeString('ip', { nullable: true }),
    userAgent: t.exposeString('userAgent', { nullable: true }),
  }),
});

type ConnectionShape = ContentAccessPage & { projectId: string };

const ContentAccessEdgeRef = builder.objectRef<{ cursor: string; node: ContentAccessEntryModel }>('ContentAccessEdge').implement({
  authScopes: (edge) => ({ projectAdmin: edge.node.projectId }),
  fields: (t) => ({
    cursor: t.exposeString('cursor'),
    node: t.field({ type: ContentAccessEntryRef, resolve: (e) => e.node }),
  }),
});

const ContentAccessConnectionRef = builder.objectRef<ConnectionShape>('ContentAccessConnection').implement({
  authScopes: (c) => ({ projectAdmin: c.projectId }),
  fields: (t) => ({
    edges: t.field({ type: [ContentAccessEdgeRef], resolve: (c) => c.edges }),
    pageInfo: t.field({ type: PageInfoRef, resolve: pageInfoOf }),
    totalCount: t.field({ type: 'BigInt', description: 'Entries matching the filter; counted only when asked for.', resolve: (c) => c.totalCount() }),
  }),
});

const ContentAccessLogFilterInput = builder.inputType('ContentAccessLogFilter', {
  fields: (t) => ({
    actorId: t.id({ description: 'The user or token that read.' }),
    traceId: t.id({ extensions: clientMadeId }),
    via: t.string({ description: '`graphql` or `export`.' }),
    from: t.field({ type: 'DateTime', description: 'Reads at or after this time.' }),
    to: t.field({ type: 'DateTime', description: 'Reads before this time.' }),
  }),
});

builder.objectField(ProjectRef, 'contentAccessLog', (t) =>
  t.field({
    type: ContentAccessConnectionRef,
    description: 'ADMIN+. Reads of span content, newest first, while auditContentReads is on; pruned after TOKENTRACE_ACCESS_LOG_DAYS.',
    authScopes: (project) => ({ projectAdmin: project.id }),
    args: { filter: t.arg({ type: ContentAccessLogFilterInput }), first: t.arg.int(), after: t.arg.string() },
    resolve: async (project, args, ctx) => ({
      ...(await listContentAccessLog(
        ctx,
        project.id,
        args.filter && {
          ...args.filter,
          actorId: args.filter.actorId == null ? null : String(args.filter.actorId),
          traceId: args.filter.traceId == null ? null : String(args.filter.traceId),
        },
        args.first,
        args.after,
      )),
      projectId: project.id,
    }),
  }),
);
