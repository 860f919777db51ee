import type { Kysely } from 'kysely';
import type { Database, OauthAccountRow, OauthFlowRow } from '../tables';

type Db = Kysely<Database>;

export function findOAuthAccount(db: Db, provider: string, providerAccountId: string): Promise<OauthAccountRow | undefined> {
  return db
    .selectFrom('oauth_accounts')
    .selectAll()
    .where('provider', '=', provider)
    .where('provider_account_id', '=', providerAccountId)
    .executeTakeFirst();
}

export function listOAuthAccountsOfUser(db: Db, userId: string): Promise<OauthAccountRow[]> {
  return db.selectFrom('oauth_accounts').selectAll().where('user_id', '=', userId).orderBy('created_at').execute();
}

/** Undefined when that provider account is already linked (to anyone): the unique key decides. */
export function insertOAuthAccount(
  db: Db,
  a: { userId: string; provider: string; providerAccountId: string; email: string | null },
): Promise<OauthAccountRow | undefined> {
  return db
    .insertInto('oauth_accounts')
    .values({ user_id: a.userId, provider: a.provider, provider_account_id: a.providerAccountId, email: a.email })
    .onConflict((oc) => oc.columns(['provider', 'provider_account_id']).doNothing())
    .returningAll()
    .executeTakeFirst();
}

export async function deleteOAuthAccountsOfUser(db: Db, userId: string, provider: string): Promise<number> {
  const result = await db.deleteFrom('oauth_accounts').where('user_id', '=', userId).where('provider', '=', provider).executeTakeFirst();
  return Number(result.numDeletedRows);
}

export async function insertOAuthFlow(
  db: Db,
  flow: {
    stateHash: string;
    provider: string;
    codeVerifier: string;
    nonce: string | null;
    mode: 'sign_in' | 'link';
    returnTo: string;
    userId: string | null;
    expiresAt: Date;
  },
): Promise<void> {
  // Abandoned flows are cleared as new ones start; no scheduled job needed.
  await db.deleteFrom('oauth_flows').where('expires_at', '<=', new Date()).execute();
  await db
    .insertInto('oauth_flows')
    .values({
      state_hash: flow.stateHash,
      provider: flow.provider,
      code_verifier: flow.codeVerifier,
      nonce: flow.nonce,
      mode: flow.mode,
      return_to: flow.returnTo,
      user_id: flow.userId,
      expires_at: flow.expiresAt,
    })
    .execute();
}

/** Removes and returns the flow: a state can be used once, even by two callbacks racing. */
export function takeOAuthFlow(db: Db, stateHash: string): Promise<OauthFlowRow | undefined> {
  return db.deleteFrom('oauth_flows').where('state_hash', '=', stateHash).returningAll().executeTakeFirst();
}
