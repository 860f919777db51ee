import { sql, type Kysely } from 'kysely';
import type { Database } from '../tables';

// Queries about the database itself rather than the app's tables: the readiness probe and the
// migrator's view of what is applied.

type Db = Kysely<Database>;

/** Resolves when the database answers a trivial query (`/readyz`). */
export async function pingDatabase(db: Db): Promise<void> {
  await sql`select 1`.execute(db);
}

/** Names the database records as applied by kysely's migrator (none on a fresh database). */
export async function findAppliedMigrationNames(db: Db): Promise<string[]> {
  const table = await sql<{ name: string | null }>`select to_regclass('kysely_migration')::text as name`.execute(db);
  if (!table.rows[0]?.name) return [];
  const applied = await sql<{ name: string }>`select name from kysely_migration order by name`.execute(db);
  return applied.rows.map((r) => r.name);
}
