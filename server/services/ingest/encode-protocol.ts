import type { StoredProjectKey } from '../../../plugins/core/index';

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
   * Values whose JSON text the request held (content-source-text.ts), as bytes of `texts`: value k
   * is `texts[textRanges[2k] .. textRanges[2k + 1])`, or `values[k]` where textRanges[2k] is -1.
   */
  texts: Uint8Array;
  textRanges: Int32Array;
}

export type EncodeJobReply =
  /** Every value's stored bytes, end to end in `bytes`: value k ends at `ends[k]`, or is null where -1. */
  | { job: number; ok: true; bytes: Uint8Array; ends: Int32Array }
  /** The server encodes this batch itself, which reports the failure as it always has. */
  | { job: number; ok: false; error: string };

export type EncodeReply = { ready: true } | { ready: false; error: string } | EncodeJobReply;
