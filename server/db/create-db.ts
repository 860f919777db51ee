import { mkdir } from 'node:fs/promises';
import { Kysely, PostgresDialect, type LogEvent } from 'kysely';
import { PGliteDialect } from 'kysely-pglite-dialect';
import pg from 'pg';
import { prepareHotStatements } from './prepared-statements';
import { isIngestWrite } from './repositories/spans';
import type { Database } from './tables';

export interface DbConfig {
  /** `postgres://…`; unset means embedded PGlite in `dataDir`. */
  databaseUrl?: string | undefined;
  /** Folder of the embedded database; `memory://` keeps it in memory (tests). */
  dataDir: string;
  /** Pool size for Postgres. @default 10 */
  poolSize?: number;
  /** Sees every query (tests use it to prove what a request reads and writes). */
  onQuery?: (sql: string) => void;
  /** Prepare ingest's repeated statements on Postgres (see prepared-statements.ts). @default true */
  prepareStatements?: boolean;
}

export interface DbHandle {
  db: Kysely<Database>;
  dialect: 'postgres' | 'pglite';
  close(): Promise<void>;
}

export async function createDb(config: DbConfig): Promise<DbHandle> {
  if (config.databaseUrl) {
    const pool = new pg.Pool({ connectionString: config.databaseUrl, max: config.poolSize ?? 10 });
    // A broken idle connection must not crash the process; the next query reconnects.
    pool.on('error', () => {});
    if (config.prepareStatements !== false) prepareHotStatements(pool, isIngestWrite);
    const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }), log: queryLogger(config) });
    return { db, dialect: 'postgres', close: () => db.destroy() };
  }
  const { PGlite } = await import('@electric-sql/pglite');
  // pg_trgm backs substring search on trace names (migration 20261205000100).
  const { pg_trgm } = await import('@electric-sql/pglite/contrib/pg_trgm');
  const dataDir = config.dataDir === 'memory://' ? undefined : `${config.dataDir}/pgdata`;
  if (dataDir) await mkdir(dataDir, { recursive: true });
  const options = { extensions: { pg_trgm } };
  const pglite = dataDir ? await PGlite.create(dataDir, options) : await PGlite.create(options);
  const db = new Kysely<Database>({ dialect: new PGliteDialect(pglite), log: queryLogger(config) });
  return { db, dialect: 'pglite', close: () => db.destroy() };
}

function queryLogger(config: DbConfig): ((event: LogEvent) => void) | undefined {
  const onQuery = config.onQuery;
  return onQuery ? (event) => onQuery(event.query.sql) : undefined;
}
