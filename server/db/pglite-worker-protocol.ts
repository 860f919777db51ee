// The messages between the embedded database's worker thread (pglite-worker.mjs) and its client
// on the main thread (pglite-worker-client.ts). Types only.

/** The worker's `workerData`: what PGlite.create gets besides pg_trgm, PGlite's start parameters and files. */
export interface WorkerOptions {
  /** PGlite's data folder (`<TOKENTRACE_DATA_DIR>/pgdata`); undefined keeps the database in memory. */
  dataDir: string | undefined;
  /** Postgres settings appended to PGlite's start parameters (EMBEDDED_SETTINGS). */
  settings: string[];
  /** A dumped data directory a new database starts from (DbConfig.template). */
  template: Blob | undefined;
}

export type WorkerRequest =
  | { id: number; op: 'query'; sql: string; params: unknown[] }
  | { id: number; op: 'dump' }
  | { id: number; op: 'close' };

/** An error's own properties (message, stack, PGlite's code, detail, …) as the client rebuilds them. */
export interface SerializedError {
  props: { name: string; value: unknown; enumerable: boolean }[];
}

export interface WorkerQueryResult {
  rows: unknown[];
  fields: { name: string; dataTypeID: number }[];
  affectedRows?: number | undefined;
}

export type WorkerReply =
  | { opened: true }
  | { opened: false; error: SerializedError }
  | { id: number; ok: true; result: WorkerQueryResult }
  | { id: number; ok: true; dump: ArrayBuffer }
  | { id: number; ok: true }
  | { id: number; ok: false; error: SerializedError };
