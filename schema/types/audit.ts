import type { AuditVerification } from '../../server/services/audit-chain';
import { listAuditLog, verifyAuditLog, type AuditActor, type AuditLogEntryModel, type AuditLogPage } from '../../server/services/audit-log';
import { pageCursorArgument } from '../argument-guard';
import { builder } from '../builder';
import { PageInfoRef, pageInfoOf } from './page-info';
import { ProjectRef } from './project';

// The audit log is ADMIN+ everywhere: the connection, each entry, its actor and the chain check.
// An entry can name people and keys a VIEWER may not see otherwise.

export const AuditActorRef = builder.objectRef<AuditActor & { projectId: string }>('AuditActor').implement({
  description: 'Who made a change: a user, a personal access token, an API key, or the system.',
  authScopes: (actor) => ({ projectAdmin: actor.projectId }),
  fields: (t) => ({
    type: t.exposeString('type', { description: '`user`, `token`, `api_key`, `system` or `anonymous`.' }),
    id: t.exposeID('id', { nullable: true }),
    label: t.exposeString('label', { nullable: true, description: 'An e-mail address or a key prefix; never a secret.' }),
  }),
});

type ProjectEntry = AuditLogEntryModel & { projectId: string };

export const AuditLogEntryRef = builder.objectRef<ProjectEntry>('AuditLogEntry').implement({
  authScopes: (entry) => ({ projectAdmin: entry.projectId }),
  fields: (t) => ({
    id: t.exposeID('id'),
    at: t.expose('at', { type: 'DateTime' }),
    action: t.exposeString('action', { description: 'e.g. `api_key.create`, `member.role_change`, `project.settings_change`.' }),
    actor: t.field({ type: AuditActorRef, resolve: (e) => ({ ...e.actor, projectId: e.projectId }) }),
    targetType: t.exposeString('targetType'),
    targetId: t.exposeID('targetId', { nullable: true }),
    ip: t.exposeString('ip', { nullable: true }),
    userAgent: t.exposeString('userAgent', { nullable: true }),
    details: t.expose('details', { type: 'JSON', nullable: true, description: 'Before and after, names, prefixes; never a secret.' }),
  }),
});

type AuditConnectionShape = AuditLogPage & { projectId: string };
type AuditEdgeShape = { cursor: string; node: ProjectEntry };

const AuditLogEdgeRef = builder.objectRef<AuditEdgeShape>('AuditLogEdge').implement({
  authScopes: (edge) => ({ projectAdmin: edge.node.projectId }),
  fields: (t) => ({
    cursor: t.exposeString('cursor'),
    node: t.field({ type: AuditLogEntryRef, resolve: (e) => e.node }),
  }),
});

const AuditLogConnectionRef = builder.objectRef<AuditConnectionShape>('AuditLogConnection').implement({
  authScopes: (c) => ({ projectAdmin: c.projectId }),
  fields: (t) => ({
    edges: t.field({
      type: [AuditLogEdgeRef],
      resolve: (c) => c.edges.map((e) => ({ cursor: e.cursor, node: { ...e.node, projectId: c.projectId } })),
    }),
    pageInfo: t.field({
      type: PageInfoRef,
      resolve: pageInfoOf,
    }),
    totalCount: t.field({ type: 'BigInt', description: 'Entries matching the filter; counted only when asked for.', resolve: (c) => c.totalCount() }),
  }),
});

const AuditLogFilterInput = builder.inputType('AuditLogFilter', {
  fields: (t) => ({
    action: t.string({ description: 'Exact action, e.g. `api_key.revoke`.' }),
    actorId: t.id({ description: 'The id of the user, token or key that acted.' }),
    actorEmail: t.string({ description: 'The e-mail of the person who acted, as a user or through one of their tokens.' }),
    from: t.field({ type: 'DateTime', description: 'Entries at or after this time.' }),
    to: t.field({ type: 'DateTime', description: 'Entries before this time.' }),
  }),
});

const AuditVerificationRef = builder.objectRef<AuditVerification & { projectId: string }>('AuditVerification').implement({
  description: 'The result of recomputing a project’s audit hash chain, oldest entry first.',
  authScopes: (v) => ({ projectAdmin: v.projectId }),
  fields: (t) => ({
    ok: t.exposeBoolean('ok'),
    checked: t.expose('checked', {
      type: 'BigInt', description: 'Entries examined; the walk stops at the first broken one.' }),
    firstBrokenId: t.exposeID('firstBrokenId', {
      nullable: true,
      description: 'The first entry that was changed, or that no longer links to the entry before it.',
    }),
    reason: t.exposeString('reason', { nullable: true, description: 'Why that entry is broken; null when the chain is intact.' }),
  }),
});

builder.objectField(ProjectRef, 'auditLog', (t) =>
  t.field({
    type: AuditLogConnectionRef,
    description: 'ADMIN+. Newest first; forward pagination with first/after.',
    authScopes: (project) => ({ projectAdmin: project.id }),
    args: {
      filter: t.arg({ type: AuditLogFilterInput }),
      first: t.arg.int(),
      after: t.arg.string({ extensions: pageCursorArgument('audit') }),
    },
    resolve: async (project, args, ctx) => ({
      ...(await listAuditLog(
        ctx,
        project.id,
        args.filter && { ...args.filter, actorId: args.filter.actorId == null ? null : String(args.filter.actorId) },
        args.first,
        args.after,
      )),
      projectId: project.id,
    }),
  }),
);

builder.queryField('verifyAuditLog', (t) =>
  t.field({
    type: AuditVerificationRef,
    description:
      'ADMIN+. Walks the project’s audit hash chain, checking every link and its signature with the server’s audit key, and reports the first broken one.',
    authScopes: (_root, args) => ({ projectAdmin: args.projectId }),
    args: { projectId: t.arg.id({ required: true }) },
    resolve: async (_root, args, ctx) => ({ ...(await verifyAuditLog(ctx, args.projectId)), projectId: args.projectId }),
  }),
);
