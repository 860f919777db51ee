import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { fileURLToPath } from 'node:url';

// `npm start` spawned for real, through its launcher (scripts/start.mjs): what the launcher and
// cluster tests start. Resolves once the server prints its address.

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface LaunchedServer {
  child: ChildProcessWithoutNullStreams;
  /** `http://127.0.0.1:<port>` as the server printed it. */
  base: string;
  /** Everything it wrote to stdout and stderr so far. */
  output(): string;
}

/** `env` is laid over this process's environment; the server gets no terminal. */
export async function launchServer(env: Record<string, string>): Promise<LaunchedServer> {
  const child = spawn(process.execPath, ['scripts/start.mjs', 'start'], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
  let output = '';
  child.stderr.on('data', (d) => (output += d));
  child.stdout.on('data', (d) => (output += d));
  const base = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`not running after 90 s: ${output}`)), 90_000);
    const check = () => {
      const m = /is running on .*GraphQL (https?:\/\/\S+)\/graphql/.exec(output);
      if (m) {
        clearTimeout(timer);
        child.stdout.off('data', check);
        resolve(m[1]!);
      }
    };
    child.stdout.on('data', check);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`exited with ${code}: ${output}`));
    });
  });
  return { child, base, output: () => output };
}

/** SIGTERM, then the exit code; a server still running after 20 s is killed and reported so. */
export async function stopServer(server: LaunchedServer): Promise<number | null | 'still running'> {
  if (server.child.exitCode !== null) return server.child.exitCode;
  const exited = new Promise<number | null>((r) => server.child.once('exit', (code) => r(code)));
  server.child.kill('SIGTERM');
  const outcome = await Promise.race([exited, new Promise<'still running'>((r) => setTimeout(() => r('still running'), 20_000))]);
  if (outcome === 'still running') server.child.kill('SIGKILL');
  return outcome;
}
