import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { lockDataDir } from './data-dir-lock';
import { openPgliteWorker, type PgliteWorkerClient } from './pglite-worker-client';

// What the embedded database (PGlite) is opened with, wherever it runs: in its worker thread
// (pglite-worker-client.ts) or on the calling thread (create-db.ts).

/**
 * Postgres settings of the embedded database. shared_buffers is 16 MB instead of Postgres' 128 MB:
 * PGlite sets up the whole buffer pool before it answers (≈ 0.4 s of every start at 128 MB, on a
 * 2-core machine), and the embedded default is a small single-user database in one process, whose
 * data files the operating system's page cache holds anyway: a page not in the pool is a read from
 * memory, not from disk. Tests run on it too (the trace-list and ingest suites pass unchanged).
 * Postgres (DATABASE_URL) keeps its own configuration.
 */
export const EMBEDDED_SETTINGS = ['-c', 'shared_buffers=16MB'];

/** Who holds the data folder's lock unless DbConfig.purpose says otherwise. */
export const SERVER_PURPOSE = 'tokentrace server';

/** Where PGlite runs: a worker thread of its own, or the thread that opened it. */
export type EmbeddedThread = 'worker' | 'main';

/**
 * A database in a folder runs in a worker thread: the server's start overlaps it with loading the
 * server (pglite-worker-client.ts). `memory://` stays on the calling thread: that is the test
 * suite, which opens hundreds of databases from a migrated dump (server/testing/memory-template.ts)
 * and closes them within seconds, so a thread's start-up (≈ 0.1 s, plus loading PGlite's
 * JavaScript again in every thread) would be paid each time for nothing it needs.
 */
export function defaultEmbeddedThread(dataDir: string): EmbeddedThread {
  return dataDir === 'memory://' ? 'main' : 'worker';
}

/** PGlite's own folder inside TOKENTRACE_DATA_DIR; undefined for `memory://`. */
export function pgdataOf(dataDir: string): string | undefined {
  return dataDir === 'memory://' ? undefined : join(dataDir, 'pgdata');
}

/**
 * Creates the data folder if needed and takes its lock (data-dir-lock.ts); a `memory://` database
 * has neither. Throws DataDirInUseError while another process holds it.
 */
export function lockEmbeddedFolder(dataDir: string, purpose: string): { pgdata: string | undefined; unlock: () => void } {
  const pgdata = pgdataOf(dataDir);
  if (!pgdata) return { pgdata, unlock: () => {} };
  mkdirSync(pgdata, { recursive: true });
  return { pgdata, unlock: lockDataDir(dataDir, purpose) };
}

/** The template, when the database it would start is new (an existing one ignores it). */
export function templateFor(pgdata: string | undefined, template: Blob | undefined): Blob | undefined {
  return template && !(pgdata && existsSync(join(pgdata, 'PG_VERSION'))) ? template : undefined;
}

export interface EmbeddedWorker {
  client: PgliteWorkerClient;
  /** Releases the data folder's lock: after the client closed. */
  unlock: () => void;
}

/** Locks the data folder and starts opening PGlite in its worker thread; returns at once. */
export function startEmbeddedWorker(dataDir: string, purpose: string, template?: Blob): EmbeddedWorker {
  const { pgdata, unlock } = lockEmbeddedFolder(dataDir, purpose);
  try {
    return { client: openPgliteWorker({ dataDir: pgdata, settings: EMBEDDED_SETTINGS, template: templateFor(pgdata, template) }), unlock };
  } catch (err) {
    unlock();
    throw err;
  }
}
