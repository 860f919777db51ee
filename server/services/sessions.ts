import { assertPasswordStrength, hashPassword, verifyPassword } from '../auth/passwords';
import { clearSessionCookie } from '../auth/session-cookie';
import { sessionOutlived } from '../auth/session-lifetime';
import type { RequestContext } from '../context';
import { listLiveSessions, revokeSessionOfUser, revokeSessionsOfUser } from '../db/repositories/sessions';
import { findUserById, lockUser, setPasswordHash } from '../db/repositories/users';
import { AppError, badInput, notFound, unauthenticated } from '../errors';
import { recordAudit, runAudited } from './audit-log';
import { isUuid } from './projects';

// A user's browser sessions, and the password change that ends all but the current one.
// Sessions are independent of API keys and personal access tokens: nothing here touches them,
// and revoking a key or token touches no session (server/services/sessions.test.ts proves both).

export interface SessionModel {
  id: string;
  userAgent: string | null;
  ip: string | null;
  createdAt: Date;
  lastSeenAt: Date;
  expiresAt: Date;
  current: boolean;
  userId: string;
}

/** The session this request came with; null for a token or an anonymous caller. */
function currentSessionId(ctx: RequestContext): string | null {
  const p = ctx.principal;
  return p.kind === 'user' && p.via === 'session' ? p.sessionId : null;
}

function sessionUser(ctx: RequestContext): { userId: string; sessionId: string } {
  const p = ctx.principal;
  if (p.kind !== 'user' || p.via !== 'session') throw unauthenticated('Sign in through the dashboard to manage sessions.');
  return { userId: p.userId, sessionId: p.sessionId };
}

export async function listSessions(ctx: RequestContext, userId: string): Promise<SessionModel[]> {
  const current = currentSessionId(ctx);
  const now = new Date();
  const rows = (await listLiveSessions(ctx.deps.db, userId, now)).filter((row) => !sessionOutlived(row.created_at, now, ctx.deps.config));
  return rows.map((row) => ({
    id: row.id,
    userAgent: row.user_agent,
    ip: row.ip,
    createdAt: row.created_at,
    lastSeenAt: row.last_seen_at,
    // A row written before the lifetime existed (or under a longer one) may say later.
    expiresAt: new Date(Math.min(row.expires_at.getTime(), row.created_at.getTime() + ctx.deps.config.sessionMaxAgeMs)),
    current: row.id === current,
    userId: row.user_id,
  }));
}

export async function revokeSession(ctx: RequestContext, id: string): Promise<boolean> {
  const { userId, sessionId } = sessionUser(ctx);
  // Someone else's session reads as missing: the id alone must not tell whether it exists.
  if (!isUuid(id)) throw notFound('Session');
  const revoked = await runAudited(ctx.deps, async (trx) => {
    if (!(await revokeSessionOfUser(trx, id, userId, new Date()))) return false;
    await recordAudit(trx, ctx, {
      projectId: null,
      action: 'auth.session_revoke',
      targetType: 'user',
      targetId: userId,
      details: { sessionId: id, current: id === sessionId },
    });
    return true;
  });
  if (!revoked) throw notFound('Session');
  if (id === sessionId) ctx.setCookie(clearSessionCookie(ctx.meta.secure));
  return true;
}

export async function revokeOtherSessions(ctx: RequestContext): Promise<number> {
  const { userId, sessionId } = sessionUser(ctx);
  return runAudited(ctx.deps, async (trx) => {
    const count = await revokeSessionsOfUser(trx, userId, sessionId, new Date());
    await recordAudit(trx, ctx, {
      projectId: null,
      action: 'auth.sessions_revoke_others',
      targetType: 'user',
      targetId: userId,
      details: { revoked: count, kept: sessionId },
    });
    return count;
  });
}

export async function userHasPassword(ctx: RequestContext, userId: string): Promise<boolean> {
  const row = await findUserById(ctx.deps.db, userId);
  return Boolean(row?.password_hash);
}

/**
 * Changes (or, for a user who signed up with GitHub or Google, first sets) the password and
 * ends every other session: whoever knew the old password may be signed in elsewhere.
 */
export async function changePassword(
  ctx: RequestContext,
  input: { currentPassword?: string | null; newPassword: string },
): Promise<boolean> {
  const { deps, meta } = ctx;
  const { userId, sessionId } = sessionUser(ctx);
  assertPasswordStrength(input.newPassword);
  const user = await findUserById(deps.db, userId);
  if (!user) throw unauthenticated();
  const settingFirst = !user.password_hash;
  if (user.password_hash) {
    if (!input.currentPassword) throw badInput('Enter your current password.', { field: 'currentPassword' });
    // The same budget as sign-in: a stolen session must not become a password-guessing oracle.
    await deps.signInLimiter.beginAttempt(user.email, meta.ip);
    if (!(await verifyPassword(input.currentPassword, user.password_hash))) {
      throw badInput('The current password is incorrect.', { field: 'currentPassword' });
    }
    await deps.signInLimiter.recordSuccess(user.email, meta.ip);
  } else if (input.currentPassword) {
    throw badInput('This account has no password yet: leave the current password empty.', { field: 'currentPassword' });
  }
  const hash = await hashPassword(input.newPassword, deps.config.bcryptCost);
  await runAudited(deps, async (trx) => {
    const locked = await lockUser(trx, userId);
    // Two first-time sets racing: the second must prove the password the first one set.
    if (settingFirst && locked?.password_hash) throw new AppError('CONFLICT', 'A password was set meanwhile; enter it as the current password.');
    await setPasswordHash(trx, userId, hash);
    const revoked = await revokeSessionsOfUser(trx, userId, sessionId, new Date());
    await recordAudit(trx, ctx, {
      projectId: null,
      action: 'auth.password_change',
      targetType: 'user',
      targetId: userId,
      details: { firstPassword: settingFirst, revokedSessions: revoked },
    });
  });
  deps.logger.info({ userId }, 'password changed');
  return true;
}
