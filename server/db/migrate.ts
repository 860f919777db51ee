import { Migrator, type Kysely, type MigrationResultSet } from 'kysely';
import { findAppliedMigrationNames } from './repositories/database-state';
import { migrations } from '../../migrations/index';
import { TOKENTRACE_VERSION } from '../version';
import type { Database } from './tables';

// Migrations run forward only, at start (`npm start`) or on their own (`npm run migrate`).
// A database that records a migration this code does not know was migrated by a newer
// tokentrace: running older code on it could write rows the newer schema no longer accepts, or
// read columns it renamed, so the start stops instead and says what to do (docs/upgrade.md).

export class DatabaseTooNewError extends Error {
  override name = 'DatabaseTooNewError';
  constructor(readonly unknown: string[]) {
    super(
      `This database was migrated by a newer version of tokentrace: it records ${unknown.length === 1 ? 'migration' : 'migrations'} ` +
        `${unknown.join(', ')}, which tokentrace ${TOKENTRACE_VERSION} does not know. ` +
        'Run the newer version again, or restore the backup taken before the upgrade (see docs/upgrade.md). ' +
        'Nothing was changed.',
    );
  }
}

function migrator(db: Kysely<Database>): Migrator {
  return new Migrator({ db, provider: { getMigrations: async () => migrations } });
}

/** Throws DatabaseTooNewError when `applied` names a migration this version lacks. */
function refuseNewer(applied: string[]): void {
  const unknown = applied.filter((name) => !(name in migrations));
  if (unknown.length > 0) throw new DatabaseTooNewError(unknown);
}

/** The migrations `migrateToLatest` would apply, in order; changes nothing. */
export async function pendingMigrations(db: Kysely<Database>): Promise<string[]> {
  const applied = await findAppliedMigrationNames(db);
  refuseNewer(applied);
  const done = new Set(applied);
  return Object.keys(migrations)
    .sort()
    .filter((name) => !done.has(name));
}

export async function migrateToLatest(db: Kysely<Database>): Promise<string[]> {
  // Every start runs this. When the database records exactly the migrations this code has
  // (the usual case), one read answers it: kysely's Migrator would otherwise create its tables
  // if missing, take its lock and read the list again, several round trips for nothing.
  const applied = await findAppliedMigrationNames(db);
  refuseNewer(applied);
  if (applied.length === Object.keys(migrations).length) return [];
  const result: MigrationResultSet = await migrator(db).migrateToLatest();
  if (result.error) {
    const failed = result.results?.find((r) => r.status === 'Error')?.migrationName ?? 'unknown';
    throw new Error(`migration ${failed} failed: ${String((result.error as Error).message ?? result.error)}`);
  }
  return (result.results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
