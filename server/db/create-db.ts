import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { Kysely, PostgresDialect, type LogEvent } from 'kysely';
import { PGliteDialect } from 'kysely-pglite-dialect';
import type { PoolStats } from '../metrics/metrics';
import { countConnections } from './counted-dialect';
import { lockDataDir } from './data-dir-lock';
import { takePgliteArtifacts } from './pglite-warm-up';
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
  /** Who holds the embedded database's lock, for the message another process gets. @default 'tokentrace server' */
  purpose?: string;
  /**
   * A data directory dumped by PGlite (`dumpDataDir`) that a new embedded database (`memory://`,
   * or a folder without one yet) starts from instead of running initdb; an existing one ignores
   * it. Tests start hundreds of databases, and initdb is most of each start
   * (server/testing/memory-template.ts).
   */
  template?: Blob;
}

export interface DbHandle {
  db: Kysely<Database>;
  dialect: 'postgres' | 'pglite';
  /** Connections in use and queries waiting for one (GET /metrics). */
  poolStats(): PoolStats;
  /** Embedded only: the data directory as one uncompressed tar (PGlite's dumpDataDir). */
  dumpDataDir?(): Promise<Blob>;
  close(): Promise<void>;
}

/**
 * Postgres settings of the embedded database. shared_buffers is 16 MB instead of Postgres' 128 MB:
 * PGlite sets up the whole buffer pool before it answers (≈ 0.4 s of every start at 128 MB, on a
 * 2-core machine), and the embedded default is a small single-user database in one process, whose
 * data files the operating system's page cache holds anyway: a page not in the pool is a read from
 * memory, not from disk. Tests run on it too (the trace-list and ingest suites pass unchanged).
 * Postgres (DATABASE_URL) keeps its own configuration.
 */
const EMBEDDED_SETTINGS = ['-c', 'shared_buffers=16MB'];

export async function createDb(config: DbConfig): Promise<DbHandle> {
  if (config.databaseUrl) {
    // Loaded only for Postgres, like PGlite only for the embedded database: a start pays for one.
    const { default: pg } = await import('pg');
    const size = config.poolSize ?? 10;
    const pool = new pg.Pool({ connectionString: config.databaseUrl, max: size });
    // A broken idle connection must not crash the process; the next query reconnects.
    pool.on('error', () => {});
    if (config.prepareStatements !== false) prepareHotStatements(pool, isIngestWrite);
    const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }), log: queryLogger(config) });
    const poolStats = () => ({ size, inUse: pool.totalCount - pool.idleCount, waiting: pool.waitingCount });
    return { db, dialect: 'postgres', poolStats, close: () => db.destroy() };
  }
  const { PGlite } = await import('@electric-sql/pglite');
  // pg_trgm backs substring search on trace names (migration 20261205000100).
  const { pg_trgm } = await import('@electric-sql/pglite/contrib/pg_trgm');
  const dataDir = config.dataDir === 'memory://' ? undefined : `${config.dataDir}/pgdata`;
  let unlock = () => {};
  if (dataDir) {
    await mkdir(dataDir, { recursive: true });
    unlock = lockDataDir(config.dataDir, config.purpose ?? 'tokentrace server');
  }
  let pglite: Awaited<ReturnType<typeof PGlite.create>>;
  try {
    const options = { extensions: { pg_trgm }, startParams: [...PGlite.defaultStartParams, ...EMBEDDED_SETTINGS], ...(await takePgliteArtifacts()) };
    const template = config.template && !(dataDir && existsSync(join(dataDir, 'PG_VERSION'))) ? { loadDataDir: config.template } : {};
    pglite = await PGlite.create({ ...options, ...template, ...(dataDir ? { dataDir } : {}) });
  } catch (err) {
    unlock();
    throw err;
  }
  const counted = countConnections(new PGliteDialect(pglite));
  const db = new Kysely<Database>({ dialect: counted.dialect, log: queryLogger(config) });
  const close = async () => {
    try {
      await db.destroy(); // closes PGlite too
    } finally {
      unlock();
    }
  };
  return { db, dialect: 'pglite', poolStats: () => ({ size: 1, ...counted.counts() }), dumpDataDir: () => pglite.dumpDataDir('none'), close };
}

function queryLogger(config: DbConfig): ((event: LogEvent) => void) | undefined {
  const onQuery = config.onQuery;
  return onQuery ? (event) => onQuery(event.query.sql) : undefined;
}
