import type { ReadingsAcross } from '../readings-across-threads';
import type { SealFor } from '../sealed-in-worker';
import type { SealerData } from '../worker-sealer';
import type { OtlpEncoding } from './decode-otlp';

// Messages between otlp-read-pool.ts (the server's thread) and otlp-read-worker.ts.

/** One request body, decoded, mapped and validated as `now`. */
export interface OtlpReadJob {
  job: number;
  /** A copy of the body, moved to the worker: the caller keeps its own to read itself if need be. */
  body: Uint8Array;
  encoding: OtlpEncoding;
  now: number;
  /** Seal the content for this project too (early-sealing.ts). */
  seal?: SealFor;
}

export interface OtlpReadWorkerData {
  /** The server's codec, when the worker may seal content (worker-sealer.ts). */
  sealer?: SealerData;
}

export type OtlpReadReply =
  /** The body is not an OTLP request: the whole request fails with this message (HTTP 400). */
  | { job: number; ok: true; decodeError: string }
  /**
   * One reading per span. A valid span's input and output that are objects or arrays cross as JSON
   * text (and sealed, when asked), two parts per valid span in order (readings-across-threads.ts),
   * their place in the span left null; any other value (a string, null) crosses in the span itself,
   * where a part is absent.
   */
  | { job: number; ok: true; readings: ReadingsAcross }
  /** The server reads this body itself, which reports whatever went wrong as it always has. */
  | { job: number; ok: false; error: string };
