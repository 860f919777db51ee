import { sql, type Kysely } from 'kysely';
import type { Database } from '../tables';

// Session-level advisory locks: held by one database connection until released or until the
// connection ends (a crashed server releases its locks by dying). Keys are derived from a name.

export async function tryAdvisoryLock(conn: Kysely<Database>, name: string): Promise<boolean> {
  const { rows } = await sql<{ got: boolean }>`select pg_try_advisory_lock(hashtextextended(${`tokentrace:${name}`}, 0)) as got`.execute(conn);
  return rows[0]?.got === true;
}

export async function releaseAdvisoryLock(conn: Kysely<Database>, name: string): Promise<void> {
  await sql`select pg_advisory_unlock(hashtextextended(${`tokentrace:${name}`}, 0))`.execute(conn);
}
