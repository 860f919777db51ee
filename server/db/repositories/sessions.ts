import type { Kysely } from 'kysely';
import type { Database, SessionRow } from '../tables';

type Db = Kysely<Database>;

export function insertSession(
  db: Db,
  s: { userId: string; tokenHash: string; ip: string | null; userAgent: string | null; expiresAt: Date },
): Promise<SessionRow> {
  return db
    .insertInto('sessions')
    .values({
      user_id: s.userId,
      token_hash: s.tokenHash,
      ip: s.ip,
      user_agent: s.userAgent,
      expires_at: s.expiresAt,
      last_seen_at: new Date(),
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export function findLiveSessionByTokenHash(db: Db, tokenHash: string, now: Date): Promise<SessionRow | undefined> {
  return db
    .selectFrom('sessions')
    .selectAll()
    .where('token_hash', '=', tokenHash)
    .where('revoked_at', 'is', null)
    .where('expires_at', '>', now)
    .executeTakeFirst();
}

export async function touchSession(db: Db, id: string, now: Date, expiresAt: Date): Promise<void> {
  await db.updateTable('sessions').set({ last_seen_at: now, expires_at: expiresAt }).where('id', '=', id).execute();
}

export async function revokeSession(db: Db, id: string, now: Date): Promise<void> {
  await db.updateTable('sessions').set({ revoked_at: now }).where('id', '=', id).where('revoked_at', 'is', null).execute();
}

/** The user's sessions that can still be used: not revoked, not expired; newest first. */
export function listLiveSessions(db: Db, userId: string, now: Date): Promise<SessionRow[]> {
  return db
    .selectFrom('sessions')
    .selectAll()
    .where('user_id', '=', userId)
    .where('revoked_at', 'is', null)
    .where('expires_at', '>', now)
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .execute();
}

/** Revokes one live session of this user; false when there is none with that id (or it is someone else's). */
export async function revokeSessionOfUser(db: Db, id: string, userId: string, now: Date): Promise<boolean> {
  const result = await db
    .updateTable('sessions')
    .set({ revoked_at: now })
    .where('id', '=', id)
    .where('user_id', '=', userId)
    .where('revoked_at', 'is', null)
    .where('expires_at', '>', now)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

/** Revokes every live session of the user except `keepId` (all of them when null); returns how many. */
export async function revokeSessionsOfUser(db: Db, userId: string, keepId: string | null, now: Date): Promise<number> {
  let query = db
    .updateTable('sessions')
    .set({ revoked_at: now })
    .where('user_id', '=', userId)
    .where('revoked_at', 'is', null)
    .where('expires_at', '>', now);
  if (keepId !== null) query = query.where('id', '<>', keepId);
  const result = await query.executeTakeFirst();
  return Number(result.numUpdatedRows);
}

/** A session's validity fields, whatever its state (the live tail re-checks them while it streams). */
export function findSessionValidity(db: Db, id: string): Promise<Pick<SessionRow, 'revoked_at' | 'expires_at' | 'created_at'> | undefined> {
  return db.selectFrom('sessions').select(['revoked_at', 'expires_at', 'created_at']).where('id', '=', id).executeTakeFirst();
}
