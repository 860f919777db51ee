import { fork, type ChildProcess } from 'node:child_process';
import type { PhaseRequest, PhaseResult, SenderConfig } from './sender-worker';

// The HTTP senders' process, seen from the bench. A child process rather than a worker
// thread: the senders' JSON and HTTP-client work then never shares this process's heap, GC or
// libuv pool with the server under test, and with --workers the server is a cluster of its own.

export type Senders = ChildProcess;

export function startSenderWorker(config: SenderConfig): Senders {
  const target = new URL('./sender-worker.ts', import.meta.url);
  return fork(target, [], {
    execArgv: ['--max-semi-space-size=64', '--import', 'tsx'],
    env: { ...process.env, TOKENTRACE_BENCH_SENDERS: JSON.stringify(config) },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
}

/** Runs one phase in the senders' process; rejects if it fails or exits. */
export function runHttpPhase(worker: Senders, request: PhaseRequest): Promise<PhaseResult> {
  return new Promise((resolve, reject) => {
    const done = () => {
      worker.off('message', onMessage);
      worker.off('error', onError);
      worker.off('exit', onExit);
    };
    const onMessage = (msg: PhaseResult | { type: 'error'; message: string }) => {
      done();
      if (msg.type === 'done') resolve(msg);
      else reject(new Error(`senders: ${msg.message}`));
    };
    const onError = (err: Error) => {
      done();
      reject(err);
    };
    const onExit = (code: number | null) => {
      done();
      reject(new Error(`senders exited with code ${code}`));
    };
    worker.on('message', onMessage);
    worker.on('error', onError);
    worker.on('exit', onExit);
    worker.send(request);
  });
}

/** Stops the senders' process and waits for it. */
export function stopSenders(worker: Senders): Promise<void> {
  if (worker.exitCode !== null || worker.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    worker.once('exit', () => resolve());
    worker.kill('SIGTERM');
  });
}
