import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { freePort } from './free-port';
import { childPids, mainThreadsCpuSeconds } from './cpu';

// The server as `npm start` runs it (server/cli.ts start), in a process tree of its own: with
// TOKENTRACE_WORKERS=N > 1 a cluster primary and N workers sharing one port; with 1, one process
// that serves itself (no cluster), as `npm start` runs on one core.

const ROOT = fileURLToPath(new URL('../..', import.meta.url));


export interface ClusterServer {
  endpoint: string;
  /** The main-thread CPU seconds of the primary and every worker, together. */
  cpuSeconds(): Promise<number | null>;
  /** Worker pids (the primary's children). */
  workerPids(): Promise<number[]>;
  stop(): Promise<void>;
}

export async function startClusterServer(env: Record<string, string>, workers: number): Promise<ClusterServer> {
  const port = await freePort();
  const child: ChildProcess = spawn(process.execPath, ['--max-semi-space-size=64', '--import', 'tsx', 'server/cli.ts', 'start'], {
    cwd: ROOT,
    env: { ...process.env, ...env, PORT: String(port), HOST: '127.0.0.1', TOKENTRACE_WORKERS: String(workers), TOKENTRACE_SKIP_DASHBOARD_BUILD: 'true' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  let exited = false;
  child.once('exit', () => (exited = true));
  const base = `http://127.0.0.1:${port}`;
  const started = Date.now();
  // A cluster's workers are the primary's children; a single process has none.
  const children = workers > 1 ? workers : 0;
  try {
    for (;;) {
      if (exited) throw new Error(`the server (TOKENTRACE_WORKERS=${workers}) exited before it was ready`);
      if (Date.now() - started > 60_000) throw new Error(`the server (TOKENTRACE_WORKERS=${workers}) was not ready after 60 s`);
      const ready = await fetch(`${base}/readyz`, { signal: AbortSignal.timeout(1000) }).then((r) => r.status === 200, () => false);
      // Ready once every worker listens.
      if (ready && (await childPids(child.pid!)).length >= children) break;
      await new Promise((r) => setTimeout(r, 50));
    }
  } catch (err) {
    // Not left running: the bench would wait for it forever.
    child.kill('SIGKILL');
    throw err;
  }
  const workerPids = () => childPids(child.pid!);
  return {
    endpoint: `${base}/graphql`,
    workerPids,
    cpuSeconds: async () => mainThreadsCpuSeconds([child.pid!, ...(await workerPids())]),
    stop: () =>
      new Promise<void>((resolve) => {
        if (exited) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
