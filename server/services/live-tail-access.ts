import { sessionOutlived } from '../auth/session-lifetime';
import type { RequestContext } from '../context';
import { findPersonalAccessTokenValidity } from '../db/repositories/credentials';
import { findMembership, findProjectById } from '../db/repositories/projects';
import { findSessionValidity } from '../db/repositories/sessions';
import { contentVisibleTo } from './content-access';
import { toProjectModel } from './projects';

// A subscription's context lives as long as its stream, and both scope-auth's results and
// ctx.roleIn / ctx.projectSettings are memoised per context: the checks made at subscribe time
// would hold for hours. So the live tail (schema/types/subscription.ts) asks here, reading the
// database afresh each time: a removed member's (or signed-out session's, or revoked token's)
// stream ends, and a switch to ADMINS_ONLY blanks content for a VIEWER. The content rule is
// the one `contentReader` and the export use (content-access.ts).

export interface LiveTailAccess {
  /** Still a member, through a credential that is still valid: the stream goes on. */
  member: boolean;
  /** May read span content now. */
  content: boolean;
}

const NONE: LiveTailAccess = { member: false, content: false };

async function credentialStillValid(ctx: RequestContext): Promise<boolean> {
  const p = ctx.principal;
  if (p.kind !== 'user') return false;
  const now = new Date();
  if (p.via === 'session') {
    const session = await findSessionValidity(ctx.deps.db, p.sessionId);
    return !!session && !session.revoked_at && session.expires_at > now && !sessionOutlived(session.created_at, now, ctx.deps.config);
  }
  const token = await findPersonalAccessTokenValidity(ctx.deps.db, p.tokenId);
  return !!token && !token.revoked_at && (!token.expires_at || token.expires_at > now);
}

/** The caller's access to the project's live tail, as of now. */
export async function readLiveTailAccess(ctx: RequestContext, projectId: string): Promise<LiveTailAccess> {
  // Signing out or revoking the token that opened the stream ends it, like leaving the project.
  if (ctx.principal.kind !== 'user' || !(await credentialStillValid(ctx))) return NONE;
  const membership = await findMembership(ctx.deps.db, projectId, ctx.principal.userId);
  if (!membership) return NONE;
  const project = await findProjectById(ctx.deps.db, projectId);
  if (!project) return NONE;
  return { member: true, content: contentVisibleTo(membership.role, toProjectModel(project).settings) };
}
