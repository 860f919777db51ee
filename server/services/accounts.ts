import { assertPasswordStrength, burnPasswordCheck, hashPassword, verifyPassword } from '../auth/passwords';
import { hashCredential, newSessionToken } from '../auth/secrets';
import { clearSessionCookie, serializeSessionCookie } from '../auth/session-cookie';
import type { AppDeps, RequestContext } from '../context';
import { findUserByEmail, insertUser, normaliseEmail } from '../db/repositories/users';
import { insertSession, revokeSession } from '../db/repositories/sessions';
import type { UserRow } from '../db/tables';
import { AppError, badInput } from '../errors';
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
  await startSession(ctx, user.id);
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
    // One message for both cases: the error never tells which of e-mail or password was wrong.
    throw new AppError('UNAUTHENTICATED', INVALID_CREDENTIALS);
  }
  await deps.signInLimiter.recordSuccess(email, meta.ip);
  await startSession(ctx, user.id);
  deps.logger.info({ userId: user.id }, 'user signed in');
  return toUserModel(user);
}

export async function signOut(ctx: RequestContext): Promise<boolean> {
  const { principal } = ctx;
  ctx.setCookie(clearSessionCookie(ctx.meta.secure));
  if (principal.kind !== 'user' || principal.via !== 'session') return false;
  await revokeSession(ctx.deps.db, principal.sessionId, new Date());
  return true;
}

/** A new session on every sign-in, so a session id planted before sign-in is worthless. */
async function startSession(ctx: RequestContext, userId: string): Promise<void> {
  const { deps, meta } = ctx;
  const token = newSessionToken();
  const expiresAt = new Date(Date.now() + deps.config.sessionIdleMs);
  await insertSession(deps.db, {
    userId,
    tokenHash: hashCredential(token),
    ip: meta.ip,
    userAgent: meta.userAgent?.slice(0, 512) ?? null,
    expiresAt,
  });
  ctx.setCookie(serializeSessionCookie(token, expiresAt, meta.secure));
  ctx.setSignedInUser(userId);
}

