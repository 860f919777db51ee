import { Worker } from 'node:worker_threads';
import { captureCallSite, withCallerFrames, type CallSite } from './caller-frames';
import type { SerializedError, WorkerOptions, WorkerQueryResult, WorkerReply, WorkerRequest } from './pglite-worker-protocol';

// The embedded database (PGlite) runs in a worker thread of its own (pglite-worker.mjs), and this
// is its client on the main thread: `query(sql, params)` and `close()`, the two calls kysely's
// PGlite dialect makes, plus `dumpDataDir()`. Why a thread:
//
// - Start: opening PGlite is ≈ 0.7 s of WebAssembly instantiation and Postgres start-up, and the
//   server's modules take ≈ 0.5 s to load. On the main thread the two add up; in a worker,
//   started first thing by `npm start` (server/start-warm-up.ts), they overlap.
// - Node keeps a process whose event loop has nothing left alive by draining V8's tasks, and
//   that drain blocks until every background job of the process is done. On the main thread,
//   awaiting PGlite's WebAssembly (no libuv handle) sent the start into that drain, where it then
//   waited for V8 to finish optimising PGlite's hot functions (≈ 0.1–0.3 s right after listen()
//   before the first request was even read). The worker's client holds a handle while it waits.
// - Afterwards, SQL runs beside the event loop instead of on it.
//
// Values cross the thread boundary by structured clone: Date, bigint, Uint8Array (a Buffer
// arrives as a Uint8Array, which PGlite binds the same), arrays, plain objects, null. Rows come
// back as PGlite made them (bytea as Uint8Array, as in the same thread). An error arrives with the
// message and own properties PGlite's DatabaseError had (code, detail, constraint, …).
//
// The error's stack has the worker's frames (where PGlite threw) followed by those of the code
// that made the query here (caller-frames.ts): without them, a failed query said nothing of which
// repository or request it came from.
//
// The thread keeps the process alive only while a request is open, like a socket with a query
// in flight: an idle database never holds a process that is otherwise done. If the thread fails
// or exits, every open and later query rejects with an error that says so (and GET /readyz,
// whose probe is a query, answers 503); onUnexpectedEnd tells the server, which logs it.

export interface PgliteWorkerClient {
  /** Resolves once PGlite is open; rejects with the error that kept it from opening. */
  readonly opened: Promise<void>;
  query(sql: string, params?: unknown[]): Promise<WorkerQueryResult>;
  /** The data directory as one uncompressed tar (PGlite's dumpDataDir('none')). */
  dumpDataDir(): Promise<Blob>;
  /** Closes PGlite after the requests before it, then ends the thread. */
  close(): Promise<void>;
  /** Stops the thread at once, as a crash would (tests). */
  terminate(): Promise<void>;
  /**
   * `listener` is called once if the open database's thread fails or exits without close() (a
   * database that fails to open rejects `opened` instead); at once if that happened already.
   */
  onUnexpectedEnd(listener: (err: Error) => void): void;
}

type WithoutId<T> = T extends unknown ? Omit<T, 'id'> : never;

const WORKER_FILE = new URL('./pglite-worker.mjs', import.meta.url);

/** An error with the message and own properties (and their enumerability) the worker's had. */
export function reviveError(serialized: SerializedError): Error {
  const err = new Error();
  for (const { name, value, enumerable } of serialized.props) {
    Object.defineProperty(err, name, { value, enumerable, writable: true, configurable: true });
  }
  // Without the worker's stack, no frames rather than this message handler's.
  if (!serialized.props.some((p) => p.name === 'stack')) err.stack = `${err.name}: ${err.message}`;
  return err;
}

export function openPgliteWorker(options: WorkerOptions): PgliteWorkerClient {
  // No flags of this process: V8's (--max-semi-space-size) are refused in a worker, and a loader's
  // (tsx's --import) has nothing to do in plain JavaScript.
  const worker = new Worker(WORKER_FILE, { workerData: options, execArgv: [] });
  const pending = new Map<number, { resolve: (reply: WorkerReply) => void; reject: (err: Error) => void; site?: CallSite }>();
  let nextId = 1;
  let failure: Error | undefined;
  let closing: Promise<void> | undefined;
  let isOpen = false;
  let endedUnexpectedly: Error | undefined;
  const endListeners: ((err: Error) => void)[] = [];
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));

  // Referenced while anything waits on the thread (opening counts), unreferenced when idle.
  let busy = 1;
  const hold = () => {
    if (busy++ === 0) worker.ref();
  };
  let ending = false; // close() holds the thread until it has ended
  const release = () => {
    if (--busy === 0 && !ending) worker.unref();
  };

  let openedSettled = false;
  let settleOpened: (err?: Error) => void = () => {};
  const opened = new Promise<void>((resolve, reject) => {
    settleOpened = (err) => {
      if (openedSettled) return;
      openedSettled = true;
      release();
      if (err) reject(err);
      else resolve();
    };
  });
  opened.catch(() => undefined); // the caller awaits it; an unawaited failure is not a crash

  const failed = () => new Error(failure!.message, { cause: failure });

  const fail = (err: Error) => {
    const unexpected = !failure && isOpen && !closing;
    failure ??= err;
    settleOpened(failed());
    for (const [id, waiter] of pending) {
      pending.delete(id);
      release();
      waiter.reject(withCallerFrames(failed(), waiter.site));
    }
    // Last: the waiting queries are rejected whatever a listener does.
    if (unexpected) {
      endedUnexpectedly = err;
      for (const listener of endListeners.splice(0)) listener(err);
    }
  };

  worker.on('message', (reply: WorkerReply) => {
    if ('opened' in reply) {
      if (reply.opened) {
        isOpen = true;
        settleOpened();
      } else settleOpened(reviveError(reply.error));
      return;
    }
    const waiter = pending.get(reply.id);
    if (!waiter) return;
    pending.delete(reply.id);
    release();
    if (reply.ok) waiter.resolve(reply);
    else waiter.reject(withCallerFrames(reviveError(reply.error), waiter.site));
  });
  worker.on('error', (err) => fail(new Error(`the embedded database's worker thread failed: ${err.message}`, { cause: err })));
  worker.once('exit', (code) => fail(new Error(closing ? 'the embedded database is closed' : `the embedded database's worker thread exited (code ${code})`)));

  // The errors made here, on the caller's stack, have its frames already; those answered later get
  // them from `site`.
  const request = (message: WithoutId<WorkerRequest>, site: CallSite): Promise<WorkerReply> => {
    if (failure) return Promise.reject(failed());
    if (closing) return Promise.reject(new Error('the embedded database is closed'));
    const id = nextId++;
    return new Promise<WorkerReply>((resolve, reject) => {
      try {
        worker.postMessage({ ...message, id });
      } catch (err) {
        reject(err as Error); // a parameter the structured clone refuses (a function, a symbol)
        return;
      }
      pending.set(id, { resolve, reject, site });
      hold();
    });
  };

  async function query(sql: string, params: unknown[] = []): Promise<WorkerQueryResult> {
    const reply = await request({ op: 'query', sql, params }, captureCallSite(query));
    return (reply as { result: WorkerQueryResult }).result;
  }

  async function dumpDataDir(): Promise<Blob> {
    const reply = await request({ op: 'dump' }, captureCallSite(dumpDataDir));
    return new Blob([(reply as { dump: ArrayBuffer }).dump]);
  }

  return {
    opened,
    query,
    dumpDataDir,
    close() {
      ending = true;
      worker.ref();
      closing ??= (async () => {
        if (!failure) {
          const id = nextId++;
          const closed = new Promise<WorkerReply>((resolve, reject) => pending.set(id, { resolve, reject }));
          hold();
          worker.postMessage({ op: 'close', id } satisfies WorkerRequest);
          // Closed, or the thread ended first: either way there is nothing left to close.
          await closed.catch(() => undefined);
        }
        await exited;
      })();
      return closing;
    },
    async terminate() {
      await worker.terminate();
    },
    onUnexpectedEnd(listener) {
      if (endedUnexpectedly) listener(endedUnexpectedly);
      else if (!failure) endListeners.push(listener);
    },
  };
}
