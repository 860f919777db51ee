import type { Transferable, Worker } from 'node:worker_threads';
import type { Logger } from 'pino';
import { startTsWorker } from './start-ts-worker';

// One worker thread that answers numbered jobs, for work ingest moves off the event loop (the
// codec's seal, encode-pool.ts; reading large bodies, otlp/otlp-read-pool.ts and
// server/http/graphql-read-pool.ts).
//
// The worker is an optimisation, never a dependency: whenever it cannot answer — it is still
// starting, failed to start, crashed, or a job could not be posted — `run` resolves null and the
// caller does the work itself. It starts on first use (0.3–0.6 s, once); until it says it is ready,
// callers do the work themselves, so no request waits for it. One that fails to start three times
// is not tried again.
//
// The worker's side: its first message is `{ ready: true }`, or `{ ready: false, error }` when it
// cannot work; after that, one reply per job carrying the job's number.

const MAX_START_FAILURES = 3;

export interface JobWorkerSpec {
  /** The worker's module (a file: URL of a TypeScript file). */
  module: string;
  workerData?: unknown;
  /** What the logs call it ("the encode worker"), what it does ("seals content") and a detail for the log. */
  name: string;
  work: string;
  detail?: string;
}

export type ReadyMessage = { ready: true } | { ready: false; error: string };

export interface JobWorker<Job, Reply> {
  /** The reply to the job numbered by `makeJob`, or null when the caller must do the work. */
  run(makeJob: (job: number) => Job, transfer?: (job: Job) => readonly Transferable[]): Promise<Reply | null>;
  /** Starts the worker if it is not running; resolves whether it is ready. */
  warm(): Promise<boolean>;
  close(): Promise<void>;
}

interface Running<Reply> {
  worker: Worker;
  ready: Promise<boolean>;
  isReady: boolean;
  pending: Map<number, (reply: Reply | null) => void>;
}

export function createJobWorker<Job, Reply extends { job: number }>(spec: JobWorkerSpec, logger: Logger): JobWorker<Job, Reply> {
  let running: Running<Reply> | null = null;
  let startFailures = 0;
  let closed = false;
  let nextJob = 1;

  function startFailed(why: string): void {
    startFailures++;
    logger.warn(
      { failures: startFailures },
      `the ${spec.name} did not start: ${why}; ingest does that work on its own thread${startFailures >= MAX_START_FAILURES ? ' from now on' : ''}`,
    );
  }

  function start(): Running<Reply> {
    // Referenced only while a job is out (below): an idle worker never keeps the process alive.
    const worker = startTsWorker(spec.module, { workerData: spec.workerData });
    const pending = new Map<number, (reply: Reply | null) => void>();
    const self: Running<Reply> = { worker, pending, ready: Promise.resolve(false), isReady: false };
    self.ready = new Promise<boolean>((resolve) => {
      worker.on('message', (message: Reply | ReadyMessage) => {
        if ('ready' in message) {
          if (!message.ready) {
            if (running === self) running = null;
            startFailed(message.error);
            void worker.terminate();
          } else {
            logger.info(`ingest ${spec.work} in a worker thread${spec.detail ? ` (${spec.detail})` : ''}`);
          }
          self.isReady = message.ready;
          resolve(message.ready);
          return;
        }
        const answer = pending.get(message.job);
        pending.delete(message.job);
        if (pending.size === 0) worker.unref();
        answer?.(message);
      });
      // Without a listener an 'error' event would take the whole server down.
      worker.on('error', (err) => logger.warn({ err: { name: err.name } }, `the ${spec.name} failed; ingest does that work on its own thread until it restarts`));
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

  function started(): Running<Reply> | null {
    if (!running && !closed && startFailures < MAX_START_FAILURES) running = start();
    return running;
  }

  return {
    run(makeJob, transfer) {
      const current = started();
      if (!current?.isReady) return Promise.resolve(null);
      const job = makeJob(nextJob++);
      const id = (job as { job: number }).job;
      return new Promise((resolve) => {
        current.pending.set(id, resolve);
        current.worker.ref();
        try {
          current.worker.postMessage(job, transfer?.(job) ?? []);
        } catch {
          // A job that does not clone: the caller does the work.
          current.pending.delete(id);
          if (current.pending.size === 0) current.worker.unref();
          resolve(null);
        }
      });
    },
    async warm() {
      const current = started();
      return current ? current.ready : false;
    },
    async close() {
      closed = true;
      const current = running;
      running = null;
      if (current) await current.worker.terminate();
    },
  };
}
