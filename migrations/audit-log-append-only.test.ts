import { PGlite } from '@electric-sql/pglite';
import { Kysely, Migrator, sql } from 'kysely';
import { PGliteDialect } from 'kysely-pglite-dialect';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrations } from './index';

// up and down of the append-only migration, on a private embedded database: migrating down on
// the shared test server would lift the guard for every other test file.

describe('migration 20261129000200_audit_log_append_only', () => {
  let db: Kysely<any>;
  let migrator: Migrator;
  const insert = () => sql`insert into audit_log (action, actor_type, target_type, hash) values ('test', 'system', 'test', 'h')`.execute(db);

  beforeAll(async () => {
    db = new Kysely<any>({ dialect: new PGliteDialect(await PGlite.create()) });
    migrator = new Migrator({ db, provider: { getMigrations: async () => migrations } });
    expect((await migrator.migrateToLatest()).error).toBeUndefined();
  });
  afterAll(() => db?.destroy());

  it('up: inserts pass; UPDATE, DELETE and TRUNCATE are refused with a clear message', async () => {
    await insert();
    await expect(sql`update audit_log set action = 'x'`.execute(db)).rejects.toThrow('audit_log is append-only: UPDATE is not allowed');
    await expect(sql`delete from audit_log`.execute(db)).rejects.toThrow('audit_log is append-only: DELETE is not allowed');
    await expect(sql`truncate audit_log`.execute(db)).rejects.toThrow('audit_log is append-only: TRUNCATE is not allowed');
  });

  it('down: drops the triggers and their function; up again restores them', async () => {
    // Down to the migration before it (later migrations are undone on the way).
    const down = await migrator.migrateTo('20261129000100_seed_model_prices');
    expect(down.error).toBeUndefined();
    expect(down.results?.map((r) => r.migrationName).at(-1)).toBe('20261129000200_audit_log_append_only');
    await sql`update audit_log set action = 'changed'`.execute(db);
    await sql`truncate audit_log`.execute(db);
    const left = await sql<{ n: number }>`select count(*)::int as n from pg_proc where proname = 'audit_log_refuse_change'`.execute(db);
    expect(left.rows[0]?.n).toBe(0);

    expect((await migrator.migrateToLatest()).error).toBeUndefined();
    await insert();
    await expect(sql`delete from audit_log`.execute(db)).rejects.toThrow(/append-only/);
  });
});
