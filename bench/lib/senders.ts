import { Worker } from 'node:worker_threads';
import type { PhaseRequest, PhaseResult, SenderConfig } from './sender-worker';

// The HTTP senders' thread, seen from the main thread.

export function startSenderWorker(config: SenderConfig): Worker {
  // A worker does not inherit tsx's loader on Node 20: load tsx's API first, then the module.
  const tsxApi = import.meta.resolve('tsx/esm/api');
  const target = new URL('./sender-worker.ts', import.meta.url).href;
  const code = `import(${JSON.stringify(tsxApi)}).then(({ tsImport }) => tsImport(${JSON.stringify(target)}, ${JSON.stringify(import.meta.url)}))`;
  return new Worker(code, { eval: true, workerData: config });
}

/** Runs one phase on the sender thread; rejects if the thread fails or exits. */
export function runHttpPhase(worker: Worker, request: PhaseRequest): Promise<PhaseResult> {
  return new Promise((resolve, reject) => {
    const done = () => {
      worker.off('message', onMessage);
      worker.off('error', onError);
      worker.off('exit', onExit);
    };
    const onMessage = (msg: PhaseResult | { type: 'error'; message: string }) => {
      done();
      if (msg.type === 'done') resolve(msg);
      else reject(new Error(`sender worker: ${msg.message}`));
    };
    const onError = (err: Error) => {
      done();
      reject(err);
    };
    const onExit = (code: number) => {
      done();
      reject(new Error(`sender worker exited with code ${code}`));
    };
    worker.on('message', onMessage);
    worker.on('error', onError);
    worker.on('exit', onExit);
    worker.postMessage(request);
  });
}
