import { Repeater } from 'graphql-yoga';
import type { RequestContext } from '../../server/context';
import { findMembership, findProjectById } from '../../server/db/repositories/projects';
import { sessionOutlived } from '../../server/auth/session-lifetime';
import { hasRole, type SpanModel } from '../../server/services/models';
import { toProjectModel } from '../../server/services/projects';
import { builder } from '../builder';
import { SpanRef } from './span';

// A subscription's context lives as long as its stream, and both scope-auth's results and
// ctx.roleIn / ctx.projectSettings are memoised per context: the checks made at subscribe time
// would hold for hours. So the live tail re-reads the caller's membership and the project's
// content visibility itself (at most once a second, to spare the database under heavy ingest):
// a removed member's (or signed-out session's) stream ends, and a switch to ADMINS_ONLY blanks content for a VIEWER
// (input, output, statusMessage and metadata: the fields Span puts behind `contentReader`).
const ACCESS_RECHECK_MS = 1_000;

interface Access {
  member: boolean;
  content: boolean;
}

async function credentialStillValid(ctx: RequestContext): Promise<boolean> {
  const p = ctx.principal;
  if (p.kind !== 'user') return false;
  const now = new Date();
  if (p.via === 'session') {
    const session = await ctx.deps.db
      .selectFrom('sessions')
      .select(['revoked_at', 'expires_at', 'created_at'])
      .where('id', '=', p.sessionId)
      .executeTakeFirst();
    return !!session && !session.revoked_at && session.expires_at > now && !sessionOutlived(session.created_at, now, ctx.deps.config);
  }
  const token = await ctx.deps.db
    .selectFrom('personal_access_tokens')
    .select(['revoked_at', 'expires_at'])
    .where('id', '=', p.tokenId)
    .executeTakeFirst();
  return !!token && !token.revoked_at && (!token.expires_at || token.expires_at > now);
}

async function readAccess(ctx: RequestContext, projectId: string): Promise<Access> {
  // Signing out or revoking the token that opened the stream ends it, like leaving the project.
  if (ctx.principal.kind !== 'user' || !(await credentialStillValid(ctx))) return { member: false, content: false };
  const membership = await findMembership(ctx.deps.db, projectId, ctx.principal.userId);
  if (!membership) return { member: false, content: false };
  const project = await findProjectById(ctx.deps.db, projectId);
  if (!project) return { member: false, content: false };
  const restricted = toProjectModel(project).settings.contentVisibility === 'ADMINS_ONLY';
  return { member: true, content: hasRole(membership.role, restricted ? 'ADMIN' : 'VIEWER') };
}

/** What a member below the content line sees of a span: the fields Span hides behind contentReader, emptied. */
function withoutContent(span: SpanModel): SpanModel {
  return { ...span, content: { input: null, output: null }, statusMessage: null, metadata: null };
}

function liveTail(ctx: RequestContext, projectId: string): AsyncIterable<SpanModel> {
  const source = ctx.deps.pubsub.subscribe('span:ingested', projectId);
  let access: Promise<Access> | undefined;
  let checkedAt = 0;
  const currentAccess = () => {
    if (!access || Date.now() - checkedAt >= ACCESS_RECHECK_MS) {
      checkedAt = Date.now();
      access = readAccess(ctx, projectId);
    }
    return access;
  };
  // A Repeater rather than an async generator: on disconnect it returns the source at once,
  // where a generator would wait for the next span to arrive before unsubscribing.
  return new Repeater<SpanModel>(async (push, stop) => {
    const closed = ctx.deps.metrics.liveTailOpened();
    const iterator = source[Symbol.asyncIterator]();
    void stop.then(() => {
      closed();
      return iterator.return?.();
    });
    for (let next = await iterator.next(); !next.done; next = await iterator.next()) {
      const { member, content } = await currentAccess();
      if (!member) break;
      // The published span is shared by every subscriber: copy it, never change it.
      await push(content ? next.value : withoutContent(next.value));
    }
    stop();
  });
}

builder.subscriptionField('spanIngested', (t) =>
  t.field({
    type: SpanRef,
    description: 'Live tail of a project’s spans as they are stored. VIEWER+; ends when the caller leaves the project.',
    authScopes: (_root, args) => ({ projectViewer: String(args.projectId) }),
    args: { projectId: t.arg.id({ required: true }) },
    subscribe: (_root, args, ctx) => liveTail(ctx, String(args.projectId)),
    resolve: (span: SpanModel) => span,
  }),
);
