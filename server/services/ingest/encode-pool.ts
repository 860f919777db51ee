import type { Worker } from 'node:worker_threads';
import type { Logger } from 'pino';
import type { ContentCodec, ProjectKeys } from '../../../plugins/core/index';
import { storedKeysOf } from '../../storage/project-keys';
import { sourceTextOf } from './content-source-text';
import type { EncodeJob, EncodeReply, EncodeWorkerData } from './encode-protocol';
import { packBytes, transferListOf, unpackBytes } from './packed-bytes';
import { startTsWorker } from './start-ts-worker';

// The encode stage off the event loop. Turning content into stored bytes — JSON.stringify, then
// the codec's AES-256-GCM seal, twice per span — was a quarter of ingest's main-thread CPU
// (bench:ingest --cpu-prof). A codec that can be made in a worker thread (CodecWorker) gets one
// here, and batches of at least `minSpans` spans are sealed there; the event loop meanwhile parses
// the next request, serves the dashboard, or writes to the database. Smaller batches (an SDK's
// single span) stay on the calling thread, where they cost less than a trip to the worker.
//
// The worker is an optimisation, never a dependency: whenever it cannot answer — it failed to
// start, crashed, or threw on a batch — the caller encodes the batch itself, which reports any
// codec error exactly as before. A worker that fails to start three times is not tried again.
// It starts on the first large batch, which (like every batch until it is ready) the caller seals.
//
// Content crosses as the JSON text the request held, when the body parser kept it and no stage
// changed the value since (content-source-text.ts): one buffer moved to the worker, which seals
// the text as it is. Other content crosses by structured clone: at this stage it is JSON data
// (parsed from a request, or built by the OTLP mapper and redactors), which clones to the same JSON.

/** Below this many spans a batch is sealed on the calling thread. */
export const DEFAULT_MIN_SPANS = 16;
const MAX_START_FAILURES = 3;

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

interface Running {
  worker: Worker;
  ready: Promise<boolean>;
  isReady: boolean;
  pending: Map<number, (reply: EncodeReply | null) => void>;
}

export function createEncodePool(codec: ContentCodec, logger: Logger, options: { minSpans?: number; keyKeepMs?: number } = {}): EncodePool | undefined {
  const spec = codec.worker;
  if (!spec) return undefined;
  const minSpans = options.minSpans ?? DEFAULT_MIN_SPANS;
  let running: Running | null = null;
  let startFailures = 0;
  let closed = false;
  let nextJob = 1;
  const counts = { encoded: 0, handedBack: 0 };

  function start(): Running {
    const workerData: EncodeWorkerData = { codecModule: spec!.module, codecData: spec!.data, keyKeepMs: options.keyKeepMs };
    // Referenced only while a batch is out (below).
    const worker = startTsWorker(new URL('./encode-worker.ts', import.meta.url).href, { workerData });
    const pending = new Map<number, (reply: EncodeReply | null) => void>();
    const self: Running = { worker, pending, ready: Promise.resolve(false), isReady: false };
    self.ready = new Promise<boolean>((resolve) => {
      worker.on('message', (reply: EncodeReply) => {
        if ('ready' in reply) {
          if (!reply.ready) {
            if (running === self) running = null;
            startFailed(`its codec could not be made (${reply.error})`);
            void worker.terminate();
          }
          self.isReady = reply.ready;
          if (reply.ready) logger.info(`ingest seals content in a worker thread (codec ${codec.name})`);
          resolve(reply.ready);
          return;
        }
        const answer = pending.get(reply.job);
        pending.delete(reply.job);
        if (pending.size === 0) worker.unref();
        answer?.(reply);
      });
      // Without a listener an 'error' event would take the whole server down.
      worker.on('error', (err) => logger.warn({ err: { name: err.name } }, 'the encode worker failed; ingest encodes on its own thread until it restarts'));
      worker.once('exit', () => {
        self.isReady = false;
        resolve(false);
        if (running === self) running = null;
        for (const answer of pending.values()) answer(null);
        pending.clear();
      });
    });
    return self;
  }

  function startFailed(why: string): void {
    startFailures++;
    logger.warn(
      { failures: startFailures },
      `the encode worker did not start: ${why}; ingest encodes on its own thread${startFailures >= MAX_START_FAILURES ? ' from now on' : ''}`,
    );
  }

  function started(): Running | null {
    if (!running && !closed && startFailures < MAX_START_FAILURES) running = start();
    return running;
  }

  function send(current: Running, job: EncodeJob): Promise<EncodeReply | null> {
    return new Promise((resolve) => {
      current.pending.set(job.job, resolve);
      current.worker.ref();
      try {
        current.worker.postMessage(job, transferListOf(job.texts));
      } catch {
        // Content that does not clone (not JSON data): this batch is encoded by the caller.
        current.pending.delete(job.job);
        if (current.pending.size === 0) current.worker.unref();
        resolve(null);
      }
    });
  }

  return {
    async encode(projectId, keys, spans) {
      if (spans.length < minSpans) return null;
      const stored = keys ? storedKeysOf(keys) : null;
      const current = started();
      // While the worker starts (≈ 0.5 s, once), batches are sealed by the caller: no request
      // waits for it. Keys the store did not open cannot be opened again in the worker.
      const reply = current?.isReady && (!keys || stored) ? await send(current, { job: nextJob++, projectId, keys: stored ?? null, rowIds: spans.map((s) => s.id), ...contentValues(spans) }) : null;
      if (!reply || !('job' in reply) || !reply.ok) {
        counts.handedBack++;
        return null;
      }
      counts.encoded++;
      const sealed = unpackBytes(reply.stored);
      return spans.map((_, i) => ({ input: sealed[2 * i] ?? null, output: sealed[2 * i + 1] ?? null }));
    },
    async warm() {
      const current = started();
      return current ? current.ready : false;
    },
    stats: () => ({ ...counts }),
    async close() {
      closed = true;
      const current = running;
      running = null;
      if (current) await current.worker.terminate();
    },
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
