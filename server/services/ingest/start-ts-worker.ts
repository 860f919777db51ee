import { Worker, type WorkerOptions } from 'node:worker_threads';

/**
 * A worker thread running a TypeScript module (a file: URL). A worker does not inherit tsx's
 * loader on Node 20, so it loads tsx's API first, then the module through it. Unreferenced: an
 * idle worker never keeps the process alive.
 */
export function startTsWorker(moduleUrl: string, options: Omit<WorkerOptions, 'eval'> = {}): Worker {
  const tsxApi = import.meta.resolve('tsx/esm/api');
  const code = `import(${JSON.stringify(tsxApi)}).then(({ tsImport }) => tsImport(${JSON.stringify(moduleUrl)}, ${JSON.stringify(import.meta.url)}))`;
  const worker = new Worker(code, { ...options, eval: true });
  worker.unref();
  return worker;
}
