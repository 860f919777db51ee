import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import { migrations } from '../../migrations/index';
import { createApp } from '../app';
import { loadConfig } from '../config';
import { createDb, type DbHandle } from './create-db';
import { DatabaseTooNewError, migrateToLatest, pendingMigrations } from './migrate';

// Pending migrations are listed without applying them, and a database migrated by a newer
// version (a migration name this code does not know) is refused before anything changes. On
// Postgres the test gets a scratch database of its own (it writes a bogus migration row); on
// PGlite, a data folder of its own, so the app can open the same database afterwards.

const adminUrl = inject('testDatabaseUrl');
let scratchUrl: string | undefined;
let handle: DbHandle;
const dataDir = mkdtempSync(join(tmpdir(), 'tokentrace-migrate-'));

beforeAll(async () => {
  if (adminUrl) {
    const name = `tokentrace_migrate_${randomBytes(4).toString('hex')}`;
    const client = new pg.Client({ connectionString: adminUrl });
    await client.connect();
    await client.query(`create database ${name}`);
    await client.end();
    const url = new URL(adminUrl);
    url.pathname = `/${name}`;
    scratchUrl = url.toString();
  }
  handle = await createDb({ databaseUrl: scratchUrl, dataDir });
});

afterAll(async () => {
  await handle?.close();
  rmSync(dataDir, { recursive: true, force: true });
  if (scratchUrl && adminUrl) {
    const client = new pg.Client({ connectionString: adminUrl });
    await client.connect();
    await client.query(`drop database if exists ${new URL(scratchUrl).pathname.slice(1)} with (force)`);
    await client.end();
  }
});

describe('migrations', () => {
  it('lists every migration as pending on a fresh database, in order, without applying any', async () => {
    const all = Object.keys(migrations).sort();
    expect(await pendingMigrations(handle.db)).toEqual(all);
    expect(await pendingMigrations(handle.db)).toEqual(all); // still nothing applied
    const tables = await sql<{ n: string | null }>`select to_regclass('kysely_migration')::text as n`.execute(handle.db);
    expect(tables.rows[0]?.n ?? null).toBeNull();
  });

  it('lists none once they are applied', async () => {
    expect(await migrateToLatest(handle.db)).toEqual(Object.keys(migrations).sort());
    expect(await pendingMigrations(handle.db)).toEqual([]);
  });

  it('refuses a database migrated by a newer version, naming the migration and what to do', async () => {
    await sql`insert into kysely_migration (name, timestamp) values ('29991231000000_from_the_future', now()::text)`.execute(handle.db);
    const refusal = migrateToLatest(handle.db);
    await expect(refusal).rejects.toBeInstanceOf(DatabaseTooNewError);
    await expect(refusal).rejects.toThrow(/newer version of tokentrace.*29991231000000_from_the_future.*does not know.*docs\/upgrade\.md/s);
    await expect(pendingMigrations(handle.db)).rejects.toBeInstanceOf(DatabaseTooNewError);
  });

  it('and the app does not start on it', async () => {
    await handle.close(); // the embedded database allows one process at a time
    const config = loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', TOKENTRACE_DATA_DIR: dataDir, ...(scratchUrl ? { DATABASE_URL: scratchUrl } : {}) });
    await expect(createApp(config)).rejects.toThrow(/migrated by a newer version/);
  });
});
