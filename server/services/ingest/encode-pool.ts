import type { Logger } from 'pino';
import type { ContentCodec, ProjectKeys } from '../../../plugins/core/index';
import { storedKeysOf } from '../../storage/project-keys';
import { sourceTextOf } from './content-source-text';
import type { EncodeJob, EncodeJobReply } from './encode-protocol';
import { createJobWorker } from './job-worker';
import { packBytes, transferListOf, unpackBytes } from './packed-bytes';
import { sealerDataOf } from './worker-sealer';

// The encode stage off the event loop. Turning content into stored bytes — JSON.stringify, then
// the codec's AES-256-GCM seal, twice per span — was a quarter of ingest's main-thread CPU
// (bench:ingest --cpu-prof). A codec that can be made in a worker thread (CodecWorker) gets one
// here, and batches of at least `minSpans` spans are sealed there; the event loop meanwhile parses
// the next request, serves the dashboard, or writes to the database. Smaller batches (an SDK's
// single span) stay on the calling thread, where they cost less than a trip to the worker.
//
// The worker is an optimisation, never a dependency (job-worker.ts): whenever it cannot answer —
// still starting, failed to start, crashed, or threw on a batch — the caller encodes the batch
// itself, which reports any codec error exactly as before.
//
// Content crosses as the JSON text the request held, when the body parser kept it and no stage
// changed the value since (content-source-text.ts): one buffer moved to the worker, which seals
// the text as it is. Other content crosses by structured clone: at this stage it is JSON data
// (parsed from a request, or built by the OTLP mapper and redactors), which clones to the same JSON.

/** Below this many spans a batch is sealed on the calling thread. */
export const DEFAULT_MIN_SPANS = 16;

/** A span model satisfies it as it is: nothing is copied for a batch sealed on the caller's thread. */
export interface SpanContentToEncode {
  id: string;
  content?: { input?: unknown; output?: unknown } | null;
}

export interface EncodePool {
  /**
   * Each span's stored input and output, sealed in the worker; null when the caller should encode
   * the batch itself (too small, no worker, or the worker could not).
   */
  encode(projectId: string, keys: ProjectKeys | undefined, spans: readonly SpanContentToEncode[]): Promise<{ input: Uint8Array | null; output: Uint8Array | null }[] | null>;
  /** Starts the worker if it is not running; resolves whether it is ready. */
  warm(): Promise<boolean>;
  /** Batches sealed in the worker so far, and those handed back. */
  stats(): { encoded: number; handedBack: number };
  close(): Promise<void>;
}

export function createEncodePool(codec: ContentCodec, logger: Logger, options: { minSpans?: number; keyKeepMs?: number } = {}): EncodePool | undefined {
  const workerData = sealerDataOf(codec, options.keyKeepMs);
  if (!workerData) return undefined;
  const minSpans = options.minSpans ?? DEFAULT_MIN_SPANS;
  const worker = createJobWorker<EncodeJob, EncodeJobReply>(
    { module: new URL('./encode-worker.ts', import.meta.url).href, workerData, name: 'encode worker', work: 'seals content', detail: `codec ${codec.name}` },
    logger,
  );
  const counts = { encoded: 0, handedBack: 0 };

  return {
    async encode(projectId, keys, spans) {
      if (spans.length < minSpans) return null;
      const stored = keys ? storedKeysOf(keys) : null;
      // Keys the store did not open cannot be opened again in the worker.
      const reply =
        !keys || stored
          ? await worker.run(
              (job) => ({ job, projectId, keys: stored ?? null, rowIds: spans.map((s) => s.id), ...contentValues(spans) }),
              (job) => transferListOf(job.texts),
            )
          : null;
      if (!reply || !reply.ok) {
        counts.handedBack++;
        return null;
      }
      counts.encoded++;
      const sealed = unpackBytes(reply.stored);
      return spans.map((_, i) => ({ input: sealed[2 * i] ?? null, output: sealed[2 * i + 1] ?? null }));
    },
    warm: () => worker.warm(),
    stats: () => ({ ...counts }),
    close: () => worker.close(),
  };
}

/**
 * `values[2i]` and `values[2i + 1]`: the input and output of `spans[i]`; those whose JSON text the
 * request held go as that text instead (content-source-text.ts), copied into one buffer that is
 * moved to the worker, not cloned.
 */
function contentValues(spans: readonly SpanContentToEncode[]): Pick<EncodeJob, 'values' | 'texts'> {
  const values: unknown[] = [];
  const texts: (Uint8Array | null)[] = [];
  const add = (value: unknown) => {
    const text = sourceTextOf(value) ?? null;
    texts.push(text);
    values.push(text ? null : value);
  };
  for (const span of spans) {
    add(span.content?.input ?? null);
    add(span.content?.output ?? null);
  }
  return { values, texts: packBytes(texts) };
}
