import type { ReadingsAcross } from '../services/ingest/readings-across-threads';
import type { SealFor } from '../services/ingest/sealed-in-worker';
import type { SealerData } from '../services/ingest/worker-sealer';

// Messages between graphql-read-pool.ts (the server's thread) and graphql-read-worker.ts.

export interface GraphqlReadWorkerData {
  /** The server's schema, printed: the worker coerces against the very types yoga serves. */
  sdl: string;
  /** The server's codec, when the worker may seal content (worker-sealer.ts). */
  sealer?: SealerData;
}

/** One POST body, read as an ingest request at `now`. */
export interface GraphqlReadJob {
  job: number;
  /** A copy of the body, moved to the worker: the caller keeps its own. */
  body: Uint8Array;
  now: number;
  /** Seal the content for this project too (early-sealing.ts): the request's key is of it. */
  seal?: SealFor;
}

/** A body that is one ingest mutation whose only variable, its spans, coerces without error. */
export interface ReadIngestRequest {
  query: string;
  operationName?: string | null;
  extensions?: Record<string, unknown>;
  /** The spans variable's name. */
  variable: string;
  /** One reading per span, content taken out as text, and sealed when asked (readings-across-threads.ts). */
  readings: ReadingsAcross;
}

export type GraphqlReadReply =
  /** `request` null: not such a body; the server reads it as it always has. */
  | { job: number; ok: true; request: ReadIngestRequest | null }
  | { job: number; ok: false; error: string };
