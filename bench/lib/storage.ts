import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

// Throwaway storage for one bench run: a fresh database on a Postgres server (dropped at the
// end), or a fresh PGlite data directory (removed at the end).

export interface BenchStorage {
  kind: 'postgres' | 'pglite';
  /** Env for loadConfig: DATABASE_URL or TOKENTRACE_DATA_DIR. */
  env: Record<string, string>;
  /** The bench database's URL (Postgres only). */
  databaseUrl?: string;
  label: string;
  dispose(): Promise<void>;
}

/** The server URL with another database name and, optionally, an application_name. */
export function withDatabase(serverUrl: string, database: string, applicationName?: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${database}`;
  if (applicationName) url.searchParams.set('application_name', applicationName);
  return url.toString();
}

export async function createPostgresStorage(serverUrl: string): Promise<BenchStorage> {
  const name = `tokentrace_bench_${Date.now()}_${randomBytes(3).toString('hex')}`;
  const admin = new pg.Client({ connectionString: serverUrl, connectionTimeoutMillis: 10_000 });
  await admin.connect();
  try {
    await admin.query(`create database ${name}`);
    await warnAboutLeftovers(admin);
  } finally {
    await admin.end();
  }
  let disposed = false;
  return {
    kind: 'postgres',
    env: { DATABASE_URL: withDatabase(serverUrl, name, 'tokentrace-bench-app') },
    databaseUrl: withDatabase(serverUrl, name),
    label: `database ${name}`,
    async dispose() {
      if (disposed) return;
      disposed = true;
      const client = new pg.Client({ connectionString: serverUrl, connectionTimeoutMillis: 10_000 });
      await client.connect();
      try {
        await client.query(`drop database if exists ${name} with (force)`);
      } finally {
        await client.end();
      }
    },
  };
}

/**
 * A run killed hard (SIGKILL; tsx escalates to it when a busy child does not acknowledge a
 * signal within ~30 ms) cannot drop its database. Name such leftovers rather than dropping them:
 * they may belong to someone else's run.
 */
async function warnAboutLeftovers(admin: pg.Client): Promise<void> {
  const { rows } = await admin.query<{ datname: string }>(
    `select datname from pg_database d
      where datname like 'tokentrace\\_bench\\_%'
        and not exists (select 1 from pg_stat_activity a where a.datname = d.datname)`,
  );
  const stale = rows
    .map((r) => r.datname)
    .filter((n) => Date.now() - Number(n.split('_')[2]) > 10 * 60_000);
  if (stale.length > 0) {
    console.error(`note: ${stale.length} idle bench database(s) left by earlier runs: ${stale.join(', ')} (drop database … with (force))`);
  }
}

export async function createPgliteStorage(): Promise<BenchStorage> {
  const dir = await mkdtemp(join(tmpdir(), 'tokentrace-bench-'));
  let disposed = false;
  return {
    kind: 'pglite',
    env: { TOKENTRACE_DATA_DIR: dir },
    label: `data dir ${dir}`,
    async dispose() {
      if (disposed) return;
      disposed = true;
      await rm(dir, { recursive: true, force: true });
    },
  };
}
