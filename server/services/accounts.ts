import type { Kysely } from 'kysely';
import { assertPasswordStrength, burnPasswordCheck, hashPassword, verifyPassword } from '../auth/passwords';
import { hashCredential, newSessionToken } from '../auth/secrets';
import { clearSessionCookie, serializeSessionCookie } from '../auth/session-cookie';
import { sessionExpiry } from '../auth/session-lifetime';
import type { RequestContext } from '../context';
import { findUserByEmail, insertUser, normaliseEmail } from '../db/repositories/users';
import { insertSession, revokeSession } from '../db/repositories/sessions';
import type { Database, UserRow } from '../db/tables';
import { AppError, badInput } from '../errors';
import { recordAudit, runAudited } from './audit-log';
import { acceptInvitationsOfVerifiedEmail } from './invitations';
import type { UserModel } from './models';

const EMAIL_PATTERN = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const INVALID_CREDENTIALS = 'The e-mail or password is incorrect.';

export function toUserModel(row: UserRow): UserModel {
  return { id: row.id, email: row.email, name: row.name };
}

export async function signUp(
  ctx: RequestContext,
  input: { email: string; password: string; name?: string | null },
): Promise<UserModel> {
  const { deps } = ctx;
  // Before anything else: each attempt may answer whether an address has an account.
  await deps.signInLimiter.beginSignUp(ctx.meta.ip);
  const email = normaliseEmail(input.email);
  if (!EMAIL_PATTERN.test(email) || email.length > 254) {
    throw badInput('That is not a valid e-mail address.', { field: 'email' });
  }
  assertPasswordStrength(input.password);
  const name = input.name?.trim() || null;
  if (name && name.length > 200) throw badInput('The name is too long: at most 200 characters.', { field: 'name' });

  const passwordHash = await hashPassword(input.password, deps.config.bcryptCost);
  const user = await insertUser(deps.db, { email, name, passwordHash });
  if (!user) throw new AppError('BAD_USER_INPUT', 'An account with this e-mail already exists.', { field: 'email' });
  announceSession(ctx, user.id, await createSession(ctx, deps.db, user.id));
  deps.logger.info({ userId: user.id }, 'user signed up');
  return toUserModel(user);
}

export async function signIn(ctx: RequestContext, input: { email: string; password: string }): Promise<UserModel> {
  const { deps, meta } = ctx;
  const email = normaliseEmail(input.email);
  await deps.signInLimiter.beginAttempt(email, meta.ip);

  const user = await findUserByEmail(deps.db, email);
  const ok = user?.password_hash
    ? await verifyPassword(input.password, user.password_hash)
    : (await burnPasswordCheck(input.password, deps.config.bcryptCost), false);
  if (!user || !ok) {
    deps.logger.info({ ip: meta.ip }, 'sign-in failed');
    // On the global chain, with the address as typed (normalised, bounded); never the password.
    // Written whether or not the account exists, so the entry is no timing oracle either.
    await runAudited(deps, (trx) =>
      recordAudit(trx, ctx, {
        projectId: null,
        action: 'auth.sign_in_failed',
        targetType: 'user',
        targetId: user?.id ?? null,
        details: { email: email.slice(0, 320) },
      }),
    );
    // One message for both cases: the error never tells which of e-mail or password was wrong.
    throw new AppError('UNAUTHENTICATED', INVALID_CREDENTIALS);
  }
  await deps.signInLimiter.recordSuccess(email, meta.ip);
  const session = await runAudited(deps, async (trx) => {
    // A verified address (e.g. one GitHub or Google vouched for) takes up its pending invitations.
    if (user.email_verified_at) await acceptInvitationsOfVerifiedEmail(trx, ctx, user);
    const created = await createSession(ctx, trx, user.id);
    await recordAudit(trx, ctx, {
      projectId: null,
      action: 'auth.sign_in',
      targetType: 'user',
      targetId: user.id,
      details: { sessionId: created.sessionId },
      // The request is still anonymous: the actor is the user who just proved who they are.
      actor: { type: 'user', id: user.id, label: user.email },
    });
    return created;
  });
  announceSession(ctx, user.id, session);
  deps.logger.info({ userId: user.id }, 'user signed in');
  return toUserModel(user);
}

export async function signOut(ctx: RequestContext): Promise<boolean> {
  const { principal } = ctx;
  ctx.setCookie(clearSessionCookie(ctx.meta.secure));
  if (principal.kind !== 'user' || principal.via !== 'session') return false;
  await runAudited(ctx.deps, async (trx) => {
    await revokeSession(trx, principal.sessionId, new Date());
    await recordAudit(trx, ctx, {
      projectId: null,
      action: 'auth.sign_out',
      targetType: 'user',
      targetId: principal.userId,
      details: { sessionId: principal.sessionId },
    });
  });
  return true;
}

export interface NewSession {
  sessionId: string;
  token: string;
  expiresAt: Date;
}

/** A new session on every sign-in, so a session id planted before sign-in is worthless. */
export async function createSession(ctx: RequestContext, db: Kysely<Database>, userId: string): Promise<NewSession> {
  const { deps, meta } = ctx;
  const token = newSessionToken();
  const now = new Date();
  const expiresAt = sessionExpiry(now, now, deps.config);
  const row = await insertSession(db, {
    userId,
    tokenHash: hashCredential(token),
    ip: meta.ip,
    userAgent: meta.userAgent?.slice(0, 512) ?? null,
    expiresAt,
  });
  return { sessionId: row.id, token, expiresAt };
}

/** Only once the session is committed: the cookie and the caller's identity for this response. */
export function announceSession(ctx: RequestContext, userId: string, session: NewSession): void {
  ctx.setCookie(serializeSessionCookie(session.token, session.expiresAt, ctx.meta.secure));
  ctx.setSignedInUser(userId);
}

