import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

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

let warming: Promise<PgliteArtifacts | undefined> | undefined;

/** Starts compiling PGlite's WebAssembly and reading its file-system bundle; returns at once. */
export function warmUpPglite(): void {
  if (warming) return;
  warming = (async () => {
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
  const artifacts = warming;
  warming = undefined;
  return artifacts;
}
