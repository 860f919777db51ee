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
