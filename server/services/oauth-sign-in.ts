import type { OAuthProfile } from '../auth/oauth-providers';
import type { RequestContext } from '../context';
import { findOAuthAccount, insertOAuthAccount, listOAuthAccountsOfUser } from '../db/repositories/oauth-accounts';
import { findUserByEmail, findUserById, insertOAuthUser, lockUser, normaliseEmail } from '../db/repositories/users';
import type { UserRow } from '../db/tables';
import { announceSession, createSession } from './accounts';
import { recordAudit, runAudited, type AuditActor } from './audit-log';
import { acceptInvitationsOfVerifiedEmail } from './invitations';

// What a checked GitHub or Google identity does: sign in the user it is linked to, link it to
// the account with the same (verified) e-mail, create a user, or — in link mode — attach it
// to the signed-in user. Every outcome that changes something is audited in its transaction.

/** A refusal the browser is sent back with: `/signin?error=<code>`. */
export class OAuthRefusal extends Error {
  override name = 'OAuthRefusal';
  constructor(
    readonly code: OAuthErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** The codes the dashboard's sign-in page explains. */
export const OAUTH_ERROR_MESSAGES = {
  oauth_state_mismatch: 'The sign-in could not be matched to this browser (or was already used). Start again.',
  oauth_expired: 'The sign-in took too long. Start again.',
  oauth_denied: 'The provider did not grant access.',
  oauth_failed: 'The provider’s answer could not be verified. Start again.',
  oauth_unavailable: 'This sign-in provider is not configured or not reachable.',
  oauth_email_missing: 'The provider did not share an e-mail address.',
  oauth_email_unverified: 'Your e-mail address is not verified with the provider. Verify it there, then sign in again.',
  oauth_account_in_use: 'That provider account is already linked to another tokentrace user.',
  oauth_provider_already_linked: 'Another account of this provider is already linked; unlink it first.',
  oauth_link_requires_session: 'Sign in first to link a provider.',
  oauth_rate_limited: 'Too many sign-in attempts from this address. Wait a minute, then try again.',
} as const;
export type OAuthErrorCode = keyof typeof OAUTH_ERROR_MESSAGES;

const refuse = (code: OAuthErrorCode) => new OAuthRefusal(code, OAUTH_ERROR_MESSAGES[code]);
const actorFor = (user: UserRow): AuditActor => ({ type: 'user', id: user.id, label: user.email });
const providerFacts = (p: OAuthProfile) => ({ provider: p.provider, providerAccountId: p.accountId, email: p.email });

export interface OAuthFlowInfo {
  mode: 'sign_in' | 'link';
  /** For link mode: the user who started it. */
  userId: string | null;
}

export async function completeOAuth(ctx: RequestContext, flow: OAuthFlowInfo, profile: OAuthProfile): Promise<void> {
  if (flow.mode === 'link') return linkToSignedInUser(ctx, flow, profile);
  return signInWithProvider(ctx, profile);
}

async function linkToSignedInUser(ctx: RequestContext, flow: OAuthFlowInfo, profile: OAuthProfile): Promise<void> {
  const p = ctx.principal;
  // The browser must still be signed in as the user who started linking.
  if (p.kind !== 'user' || p.via !== 'session' || p.userId !== flow.userId) throw refuse('oauth_link_requires_session');
  const userId = p.userId;
  await runAudited(ctx.deps, async (trx) => {
    await lockUser(trx, userId);
    const existing = await findOAuthAccount(trx, profile.provider, profile.accountId);
    if (existing && existing.user_id !== userId) throw refuse('oauth_account_in_use');
    if (existing) return; // already linked to this user: nothing changes
    const mine = await listOAuthAccountsOfUser(trx, userId);
    if (mine.some((a) => a.provider === profile.provider)) throw refuse('oauth_provider_already_linked');
    if (!(await insertOAuthAccount(trx, { userId, provider: profile.provider, providerAccountId: profile.accountId, email: profile.email }))) {
      throw refuse('oauth_account_in_use');
    }
    await recordAudit(trx, ctx, { projectId: null, action: 'auth.provider_link', targetType: 'user', targetId: userId, details: providerFacts(profile) });
  });
  ctx.deps.logger.info({ userId, provider: profile.provider }, 'provider linked');
}

async function signInWithProvider(ctx: RequestContext, profile: OAuthProfile): Promise<void> {
  const { deps } = ctx;
  const linked = await findOAuthAccount(deps.db, profile.provider, profile.accountId);
  const linkedUser = linked ? await findUserById(deps.db, linked.user_id) : undefined;
  if (linkedUser) return startSession(ctx, linkedUser, profile, { linked: false, created: false });

  if (!profile.email) throw refuse('oauth_email_missing');
  const match = await findUserByEmail(deps.db, profile.email);
  // Unverified addresses neither take over an existing account nor claim a new one.
  if (!profile.emailVerified) {
    await runAudited(deps, (trx) =>
      recordAudit(trx, ctx, {
        projectId: null,
        action: 'auth.sign_in_failed',
        targetType: 'user',
        targetId: match?.id ?? null,
        details: { ...providerFacts(profile), method: profile.provider, reason: 'email_unverified' },
      }),
    );
    throw refuse('oauth_email_unverified');
  }
  if (match) return startSession(ctx, match, profile, { linked: true, created: false });

  const created = await insertOAuthUser(deps.db, { email: profile.email, name: profile.name?.slice(0, 200) ?? null });
  // Lost a race with a sign-up for the same address: that account is now the verified match.
  const user = created ?? (await findUserByEmail(deps.db, profile.email));
  if (!user) throw refuse('oauth_failed');
  return startSession(ctx, user, profile, { linked: true, created: Boolean(created) });
}

async function startSession(
  ctx: RequestContext,
  user: UserRow,
  profile: OAuthProfile,
  how: { linked: boolean; created: boolean },
): Promise<void> {
  const actor = actorFor(user);
  const session = await runAudited(ctx.deps, async (trx) => {
    if (how.linked) {
      // One account per provider, as in link mode: unlinking names the provider alone.
      if ((await listOAuthAccountsOfUser(trx, user.id)).some((a) => a.provider === profile.provider)) {
        throw refuse('oauth_provider_already_linked');
      }
      const row = await insertOAuthAccount(trx, {
        userId: user.id,
        provider: profile.provider,
        providerAccountId: profile.accountId,
        email: profile.email,
      });
      if (!row) throw refuse('oauth_account_in_use');
    }
    // The provider vouches for this address: pending invitations to it are accepted now (their
    // audit entries go on the project chains before the sign-in's on the global one).
    if (user.email_verified_at || (profile.emailVerified && profile.email && normaliseEmail(profile.email) === user.email)) {
      await acceptInvitationsOfVerifiedEmail(trx, ctx, user);
    }
    const created = await createSession(ctx, trx, user.id);
    if (how.linked) {
      await recordAudit(trx, ctx, {
        projectId: null,
        action: 'auth.provider_link',
        targetType: 'user',
        targetId: user.id,
        details: { ...providerFacts(profile), byVerifiedEmail: !how.created },
        actor,
      });
    }
    await recordAudit(trx, ctx, {
      projectId: null,
      action: 'auth.sign_in',
      targetType: 'user',
      targetId: user.id,
      details: { method: profile.provider, sessionId: created.sessionId, userCreated: how.created },
      // The request is still anonymous: the actor is the user the provider vouched for.
      actor,
    });
    return created;
  });
  announceSession(ctx, user.id, session);
  ctx.deps.logger.info({ userId: user.id, provider: profile.provider, created: how.created }, 'user signed in with provider');
}
