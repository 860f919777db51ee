// @ts-check
// The embedded database (PGlite) in a worker thread: opened here, then answering the messages of
// server/db/pglite-worker-client.ts (query, dumpDataDir, close) one at a time, in the order they
// came. pglite-worker-client.ts says why the database runs in a thread of its own.
//
// Plain JavaScript on purpose: a worker thread does not inherit tsx's loader, and loading tsx here
// (as the custom-pattern worker does) would add 0.1–0.2 s to every start. `npm start`'s bundle
// leaves this file where it is (its import.meta.url names the source file), so the sources and the
// bundle start the same file. It imports PGlite and nothing of the server.

import { openAsBlob } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { parentPort, workerData } from 'node:worker_threads';

/** @typedef {import('./pglite-worker-protocol').WorkerOptions} WorkerOptions */
/** @typedef {import('./pglite-worker-protocol').WorkerRequest} WorkerRequest */
/** @typedef {import('./pglite-worker-protocol').WorkerReply} WorkerReply */
/** @typedef {import('./pglite-worker-protocol').SerializedError} SerializedError */

if (!parentPort) throw new Error('pglite-worker.mjs runs as a worker thread (server/db/pglite-worker-client.ts)');
const port = parentPort;
const options = /** @type {WorkerOptions} */ (workerData);

/**
 * Every own property of the error as a value the structured clone keeps (its message, stack, and
 * PGlite's code, severity, detail, constraint, …), with its enumerability: the client rebuilds an
 * error with the same own properties. A value the clone refuses (a function) is left out.
 * @param {unknown} err
 * @returns {SerializedError}
 */
function serializeError(err) {
  if (!(err instanceof Error)) return { props: [{ name: 'message', value: String(err), enumerable: false }] };
  /** @type {SerializedError['props']} */
  const props = [];
  for (const name of Object.getOwnPropertyNames(err)) {
    const descriptor = Object.getOwnPropertyDescriptor(err, name);
    if (!descriptor || !('value' in descriptor)) continue;
    try {
      props.push({ name, value: structuredClone(descriptor.value), enumerable: Boolean(descriptor.enumerable) });
    } catch {
      // not cloneable: see above
    }
  }
  if (!props.some((p) => p.name === 'message')) props.push({ name: 'message', value: err.message, enumerable: false });
  return { props };
}

/** @param {WorkerReply} reply @param {ArrayBuffer[]} [transfer] */
function reply(reply, transfer) {
  try {
    port.postMessage(reply, transfer);
  } catch (err) {
    // A result the structured clone refuses: the caller gets the error instead.
    if ('id' in reply) port.postMessage({ id: reply.id, ok: false, error: serializeError(err) });
    else throw err;
  }
}

// Listening before anything else: requests that come while the database opens wait in the queue,
// and a listened-to port keeps this thread's event loop alive while it awaits WebAssembly, which
// no libuv handle does. (An event loop with nothing left waits in Node's task drain for every
// background compile job of the process, PGlite's tier-up included: see pglite-worker-client.ts.)
/** @type {Promise<unknown>} */
let queue = Promise.resolve();
/** @type {import('@electric-sql/pglite').PGlite | undefined} */
let pglite;
/** @type {SerializedError | undefined} */
let openError;

port.on('message', (/** @type {WorkerRequest} */ request) => {
  queue = queue.then(() => handle(request));
});

/** @param {WorkerRequest} request */
async function handle(request) {
  if (!pglite) {
    reply({ id: request.id, ok: false, error: openError ?? serializeError(new Error('the embedded database is not open')) });
    return;
  }
  try {
    if (request.op === 'query') {
      const result = await pglite.query(request.sql, request.params);
      reply({ id: request.id, ok: true, result: { rows: result.rows, fields: result.fields, affectedRows: result.affectedRows } });
    } else if (request.op === 'dump') {
      const dump = await pglite.dumpDataDir('none');
      const bytes = await dump.arrayBuffer();
      reply({ id: request.id, ok: true, dump: bytes }, [bytes]);
    } else {
      const closing = pglite;
      pglite = undefined;
      openError = serializeError(new Error('the embedded database is closed'));
      await closing.close();
      reply({ id: request.id, ok: true });
      port.close(); // nothing keeps the thread alive after this: it ends
    }
  } catch (err) {
    reply({ id: request.id, ok: false, error: serializeError(err) });
  }
}

/**
 * PGlite's WebAssembly compiled while its JavaScript loads (≈ 0.1–0.3 s on a 2-core machine), and
 * its file-system bundle; undefined when PGlite moved its files (it loads them itself).
 * @returns {Promise<{ pgliteWasmModule: WebAssembly.Module; fsBundle: Blob } | undefined>}
 */
async function loadArtifacts() {
  // The files beside PGlite's entry point (the package's own layout: dist/pglite.wasm, dist/pglite.data).
  const dist = new URL('.', import.meta.resolve('@electric-sql/pglite'));
  const [pgliteWasmModule, fsBundle] = await Promise.all([
    readFile(new URL('pglite.wasm', dist)).then((bytes) => WebAssembly.compile(bytes)),
    // A Blob over the file, read once when PGlite asks for its bytes (not read, then copied).
    openAsBlob(new URL('pglite.data', dist)),
  ]);
  return { pgliteWasmModule, fsBundle };
}

async function open() {
  const artifacts = loadArtifacts().catch(() => undefined);
  const [{ PGlite }, { pg_trgm }] = await Promise.all([import('@electric-sql/pglite'), import('@electric-sql/pglite/contrib/pg_trgm')]);
  return PGlite.create({
    // pg_trgm backs substring search on trace names (migration 20261205000100).
    extensions: { pg_trgm },
    startParams: [...PGlite.defaultStartParams, ...options.settings],
    ...(await artifacts),
    ...(options.template ? { loadDataDir: options.template } : {}),
    ...(options.dataDir ? { dataDir: options.dataDir } : {}),
  });
}

queue = open().then(
  (opened) => {
    pglite = opened;
    reply({ opened: true });
  },
  (err) => {
    openError = serializeError(err);
    reply({ opened: false, error: openError });
    port.close();
  },
);
