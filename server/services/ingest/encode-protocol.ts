import type { StoredProjectKey } from '../../../plugins/core/index';
import type { PackedBytes } from './packed-bytes';

// Messages between encode-pool.ts (the server's thread) and encode-worker.ts (the codec's thread).

export interface EncodeWorkerData {
  /** CodecWorker.module and .data of the server's codec. */
  codecModule: string;
  codecData: unknown;
  /** How long an opened key set is kept (tests shorten it); by default a little under a minute. */
  keyKeepMs?: number;
}

/** One batch: `values[2i]` is the input and `values[2i + 1]` the output of span `rowIds[i]`. */
export interface EncodeJob {
  job: number;
  projectId: string;
  /** The project's sealed data keys, opened by the worker's codec; null when the codec keeps none. */
  keys: readonly StoredProjectKey[] | null;
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
