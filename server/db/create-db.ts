import type { PGlite } from '@electric-sql/pglite';
import { Kysely, PostgresDialect, type LogEvent } from 'kysely';
import { PGliteDialect } from 'kysely-pglite-dialect';
import type { PoolStats } from '../metrics/metrics';
import { countConnections } from './counted-dialect';
import { defaultEmbeddedThread, EMBEDDED_SETTINGS, lockEmbeddedFolder, SERVER_PURPOSE, startEmbeddedWorker, templateFor, type EmbeddedThread } from './embedded-database';
import type { PgliteWorkerClient } from './pglite-worker-client';
import { takeEarlyEmbedded, takePgliteArtifacts } from './pglite-warm-up';
import { prepareHotStatements } from './prepared-statements';
import { isIngestWrite } from './repositories/ingest-statement-marks';
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
   * Where PGlite runs: `worker`, a thread of its own; `main`, the calling thread. @default `worker`
   * for a folder, `main` for `memory://` (embedded-database.ts, defaultEmbeddedThread, says why).
   */
  embeddedThread?: EmbeddedThread;
  /**
   * A data directory dumped by PGlite (`dumpDataDir`) that a new embedded database (`memory://`,
   * or a folder without one yet) starts from instead of running initdb; an existing one ignores
   * it. Tests start hundreds of databases, and initdb is most of each start
   * (server/testing/memory-template.ts).
   */
  template?: Blob;
  /**
   * Embedded in a worker thread: called once if the thread fails or exits while the database is
   * open (queries then fail; the server logs it). Nothing else reports it.
   */
  onEmbeddedFailure?: (err: Error) => void;
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
  const thread = config.embeddedThread ?? defaultEmbeddedThread(config.dataDir);
  const purpose = config.purpose ?? SERVER_PURPOSE;
  return thread === 'worker' ? openInWorker(config, purpose) : openInThisThread(config, purpose);
}

/** PGlite in its worker thread: the one `npm start` began opening (pglite-warm-up.ts), or a new one. */
async function openInWorker(config: DbConfig, purpose: string): Promise<DbHandle> {
  const { client, unlock } = (!config.template && (await takeEarlyEmbedded(config.dataDir, purpose))) || startEmbeddedWorker(config.dataDir, purpose, config.template);
  try {
    await client.opened;
  } catch (err) {
    try {
      await client.close();
    } finally {
      unlock();
    }
    throw err;
  }
  if (config.onEmbeddedFailure) client.onUnexpectedEnd(config.onEmbeddedFailure);
  // kysely-pglite-dialect calls client.query(sql, params) (reading rows and affectedRows) and
  // client.close(), nothing else: the worker's client answers both as PGlite does.
  const handle = embeddedHandle(config, new PGliteDialect(client as unknown as PGlite), () => client.dumpDataDir(), unlock);
  workerClients.set(handle, client);
  return handle;
}

const workerClients = new WeakMap<DbHandle, PgliteWorkerClient>();

/** The worker thread's client behind a handle (tests: they stop the thread to see what a crash does). */
export function embeddedWorkerOf(handle: DbHandle): PgliteWorkerClient | undefined {
  return workerClients.get(handle);
}

async function openInThisThread(config: DbConfig, purpose: string): Promise<DbHandle> {
  const { PGlite } = await import('@electric-sql/pglite');
  // pg_trgm backs substring search on trace names (migration 20261205000100).
  const { pg_trgm } = await import('@electric-sql/pglite/contrib/pg_trgm');
  const { pgdata, unlock } = lockEmbeddedFolder(config.dataDir, purpose);
  let pglite: PGlite;
  try {
    const options = { extensions: { pg_trgm }, startParams: [...PGlite.defaultStartParams, ...EMBEDDED_SETTINGS], ...(await takePgliteArtifacts()) };
    const template = templateFor(pgdata, config.template);
    pglite = await PGlite.create({ ...options, ...(template ? { loadDataDir: template } : {}), ...(pgdata ? { dataDir: pgdata } : {}) });
  } catch (err) {
    unlock();
    throw err;
  }
  return embeddedHandle(config, new PGliteDialect(pglite), () => pglite.dumpDataDir('none'), unlock);
}

function embeddedHandle(config: DbConfig, dialect: PGliteDialect, dumpDataDir: () => Promise<Blob>, unlock: () => void): DbHandle {
  const counted = countConnections(dialect);
  const db = new Kysely<Database>({ dialect: counted.dialect, log: queryLogger(config) });
  const close = async () => {
    try {
      await db.destroy(); // closes PGlite too
    } finally {
      unlock();
    }
  };
  return { db, dialect: 'pglite', poolStats: () => ({ size: 1, ...counted.counts() }), dumpDataDir, close };
}

function queryLogger(config: DbConfig): ((event: LogEvent) => void) | undefined {
  const onQuery = config.onQuery;
  return onQuery ? (event) => onQuery(event.query.sql) : undefined;
}
