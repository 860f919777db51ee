import type { PackedBytes } from './packed-bytes';
import type { SealFor } from './sealed-in-worker';

// Messages between encode-pool.ts (the server's thread) and encode-worker.ts (the codec's thread).
// The worker's data is a SealerData (worker-sealer.ts).

/**
 * One batch of a project (`projectId`, sealed under `keys`): `values[2i]` is the input and
 * `values[2i + 1]` the output of span `rowIds[i]`.
 */
export interface EncodeJob extends SealFor {
  job: number;
  rowIds: string[];
  values: unknown[];
  /**
   * The JSON text the request held for value k (content-source-text.ts), packed (packed-bytes.ts);
   * where it is absent, `values[k]` is the value.
   */
  texts: PackedBytes;
}

export type EncodeJobReply =
  /** Every value's stored bytes, packed (packed-bytes.ts): null where the value is. */
  | { job: number; ok: true; stored: PackedBytes }
  /** The server encodes this batch itself, which reports the failure as it always has. */
  | { job: number; ok: false; error: string };

export type EncodeReply = { ready: true } | { ready: false; error: string } | EncodeJobReply;
