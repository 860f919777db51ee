import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { startEmbeddedWorker, type EmbeddedWorker } from './embedded-database';

// Opening the embedded database first compiles PGlite's 10 MB of WebAssembly and reads its 6 MB
// file-system bundle (together ≈ 0.3–0.5 s on a 2-core machine) before Postgres can start.
// `npm start` on a `memory://` database (the one that opens PGlite on the main thread, see
// embedded-database.ts) begins both early (server/start-warm-up.ts): the files are read while the
// server's modules are evaluated, and V8 compiles on background threads. createDb takes the
// results; without a warm-up (tests, commands) PGlite loads the same files itself.

export interface PgliteArtifacts {
  pgliteWasmModule: WebAssembly.Module;
  fsBundle: Blob;
}

// `npm start` on a database in a folder goes further: it takes the folder's lock and starts
// opening PGlite in its worker thread (pglite-worker-client.ts) before the server's modules are
// evaluated, and createDb adopts that database instead of opening one.

type EarlyDatabase = { dataDir: string; purpose: string } & ({ worker: EmbeddedWorker } | { error: unknown });

/**
 * What the warm-ups started, for createDb to take. On globalThis because `npm start` evaluates this
 * module twice: first in dist/server/cli-preamble.mjs, which the launcher imports before the
 * server's bundle (server/cli-preamble.ts says why), then again inside that bundle, whose createDb
 * must find what the first copy started.
 */
interface WarmUpState {
  warming?: Promise<PgliteArtifacts | undefined> | undefined;
  early?: EarlyDatabase | undefined;
}
const STATE_KEY = Symbol.for('tokentrace.pglite-warm-up');
const state = ((globalThis as { [STATE_KEY]?: WarmUpState })[STATE_KEY] ??= {});

/** Starts compiling PGlite's WebAssembly and reading its file-system bundle; returns at once. */
export function warmUpPglite(): void {
  if (state.warming) return;
  state.warming = (async () => {
    // The files beside PGlite's entry point (the package's own layout: dist/pglite.wasm, dist/pglite.data).
    const dist = dirname(createRequire(import.meta.url).resolve('@electric-sql/pglite'));
    const [pgliteWasmModule, fsBundle] = await Promise.all([
      readFile(join(dist, 'pglite.wasm')).then((bytes) => WebAssembly.compile(bytes)),
      readFile(join(dist, 'pglite.data')).then((bytes) => new Blob([bytes])),
    ]);
    return { pgliteWasmModule, fsBundle };
  })().catch(() => undefined); // a PGlite that moved its files loads them itself
}

/** The warm-up's results, once (the next embedded database loads its own), or undefined. */
export async function takePgliteArtifacts(): Promise<PgliteArtifacts | undefined> {
  const artifacts = state.warming;
  state.warming = undefined;
  return artifacts;
}

/** Locks `dataDir` and starts opening its database in a worker thread; a failure waits for createDb. */
export function openEmbeddedEarly(dataDir: string, purpose: string): void {
  if (state.early) return;
  try {
    state.early = { dataDir, purpose, worker: startEmbeddedWorker(dataDir, purpose) };
  } catch (err) {
    state.early = { dataDir, purpose, error: err }; // e.g. DataDirInUseError: createDb throws it where it always did
    return;
  }
  // A start that stops before createDb (a bad setting, a plugin that fails its check) exits
  // without closing: the lock must not outlive the process (the thread ends with it).
  const { unlock } = state.early.worker;
  process.once('exit', unlock);
}

/**
 * The early database of `dataDir` for the caller to own (close and unlock), once; undefined when
 * none was started for that folder and purpose (one started for another is closed).
 */
export async function takeEarlyEmbedded(dataDir: string, purpose: string): Promise<EmbeddedWorker | undefined> {
  const taken = state.early;
  if (!taken) return undefined;
  if (taken.dataDir !== dataDir || taken.purpose !== purpose) {
    await abandonEarlyEmbedded();
    return undefined;
  }
  state.early = undefined;
  if ('error' in taken) throw taken.error;
  return taken.worker;
}

/** Closes the early database nobody took (a start that failed before createDb); no-op otherwise. */
export async function abandonEarlyEmbedded(): Promise<void> {
  const taken = state.early;
  state.early = undefined;
  if (!taken || 'error' in taken) return;
  try {
    await taken.worker.client.close();
  } finally {
    taken.worker.unlock();
  }
}
