import type { Kysely } from 'kysely';
import type { Database, UserRow } from '../tables';

type Db = Kysely<Database>;

export function normaliseEmail(email: string): string {
  return email.trim().toLowerCase();
}

export function findUserByEmail(db: Db, email: string): Promise<UserRow | undefined> {
  return db.selectFrom('users').selectAll().where('email', '=', normaliseEmail(email)).executeTakeFirst();
}

export function findUserById(db: Db, id: string): Promise<UserRow | undefined> {
  return db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
}

export function findUsersByIds(db: Db, ids: readonly string[]): Promise<UserRow[]> {
  if (ids.length === 0) return Promise.resolve([]);
  return db.selectFrom('users').selectAll().where('id', 'in', ids).execute();
}

/** Undefined when the e-mail is taken (the unique index decides, so concurrent sign-ups are safe). */
export function insertUser(
  db: Db,
  user: { email: string; name: string | null; passwordHash: string | null },
): Promise<UserRow | undefined> {
  return db
    .insertInto('users')
    .values({ email: normaliseEmail(user.email), name: user.name, password_hash: user.passwordHash })
    .onConflict((oc) => oc.column('email').doNothing())
    .returningAll()
    .executeTakeFirst();
}

/** Locks the user's row until the transaction ends: sign-in methods change one at a time. */
export function lockUser(db: Db, id: string): Promise<UserRow | undefined> {
  return db.selectFrom('users').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
}

export async function setPasswordHash(db: Db, id: string, passwordHash: string): Promise<void> {
  await db.updateTable('users').set({ password_hash: passwordHash, updated_at: new Date() }).where('id', '=', id).execute();
}

/** A user created by a first sign-in with GitHub or Google: no password, e-mail verified by the provider. */
export function insertOAuthUser(db: Db, user: { email: string; name: string | null }): Promise<UserRow | undefined> {
  return db
    .insertInto('users')
    .values({ email: normaliseEmail(user.email), name: user.name, password_hash: null, email_verified_at: new Date() })
    .onConflict((oc) => oc.column('email').doNothing())
    .returningAll()
    .executeTakeFirst();
}

/** The user's e-mail address, as the audit log names a user. */
export async function findUserEmail(db: Db, id: string): Promise<string | undefined> {
  return (await db.selectFrom('users').select('email').where('id', '=', id).executeTakeFirst())?.email;
}
