import type { RequestContext } from '../context';
import { deleteOAuthAccountsOfUser, listOAuthAccountsOfUser } from '../db/repositories/oauth-accounts';
import { lockUser } from '../db/repositories/users';
import { badInput, notFound, unauthenticated } from '../errors';
import { recordAudit, runAudited } from './audit-log';

// The GitHub and Google accounts linked to a user, and unlinking one. Linking happens in the
// OAuth callback (server/services/oauth-sign-in.ts).

export interface LinkedAccountModel {
  provider: string;
  email: string | null;
  linkedAt: Date;
}

export async function listLinkedAccounts(ctx: RequestContext, userId: string): Promise<LinkedAccountModel[]> {
  const rows = await listOAuthAccountsOfUser(ctx.deps.db, userId);
  return rows.map((row) => ({ provider: row.provider, email: row.email, linkedAt: row.created_at }));
}

/** Refused when it would leave the user with no way to sign in (no password, no other provider). */
export async function unlinkAuthProvider(ctx: RequestContext, provider: string): Promise<boolean> {
  const p = ctx.principal;
  if (p.kind !== 'user' || p.via !== 'session') throw unauthenticated('Sign in through the dashboard to change sign-in methods.');
  const userId = p.userId;
  await runAudited(ctx.deps, async (trx) => {
    // The lock serialises two unlinks racing for the last two methods.
    const user = await lockUser(trx, userId);
    if (!user) throw unauthenticated();
    const accounts = await listOAuthAccountsOfUser(trx, userId);
    const unlinking = accounts.filter((a) => a.provider === provider);
    if (unlinking.length === 0) throw notFound(`A linked ${provider} account`);
    const remaining = accounts.length - unlinking.length + (user.password_hash ? 1 : 0);
    if (remaining === 0) {
      throw badInput(
        `This is your last way to sign in: set a password or link another provider before unlinking ${provider}.`,
        { field: 'provider' },
      );
    }
    await deleteOAuthAccountsOfUser(trx, userId, provider);
    await recordAudit(trx, ctx, {
      projectId: null,
      action: 'auth.provider_unlink',
      targetType: 'user',
      targetId: userId,
      details: { provider, email: unlinking[0]?.email ?? null },
    });
  });
  return true;
}
