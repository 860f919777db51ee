import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generate } from 'selfsigned';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_PASSWORD, uniqueEmail } from './testing/test-app';

// `npm start` must stop on SIGTERM whatever became of whoever reads its output (issue 10,
// point 6): a reader that is gone (the pipe closed) or one that stopped reading (the pipe full,
// e.g. a hung log shipper). The second used to keep the process up until SIGKILL: pino flushed
// its stdout buffer synchronously on exit, retrying the full pipe forever. The real CLI is
// spawned, once as the development server (plain HTTP) and once as the production one (TLS).

const ROOT = fileURLToPath(new URL('..', import.meta.url));
/** Comfortably more log output than a pipe holds (64 KiB on Linux): ~110 bytes per sign-up. */
const SIGN_UPS_TO_FILL_THE_PIPE = 1000;
const EXIT_WITHIN_MS = 20_000;

interface RunningServer {
  child: ChildProcessWithoutNullStreams;
  graphqlUrl: string;
  post(body: string): Promise<number>;
  exited: Promise<number | null | 'still running'>;
}

async function startServer(env: Record<string, string>, ca?: string): Promise<RunningServer> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/cli.ts', 'start'], {
    cwd: ROOT,
    env: {
      ...process.env,
      PORT: '0',
      TOKENTRACE_DATA_DIR: 'memory://',
      LOG_LEVEL: 'info',
      DATABASE_URL: '',
      REDIS_URL: '',
      TOKENTRACE_CONFIG: '',
      TOKENTRACE_BCRYPT_COST: '4',
      TOKENTRACE_SIGNUP_MAX_PER_IP: '100000',
      TOKENTRACE_SKIP_DASHBOARD_BUILD: '1',
      ...env,
    },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let output = '';
  child.stderr.on('data', (d) => (output += d));
  const graphqlUrl = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no URL printed: ${output}`)), 60_000);
    const onData = (d: Buffer) => {
      output += d;
      const m = /(https?:\/\/\S+\/graphql)/.exec(output);
      if (m) {
        clearTimeout(timer);
        child.stdout.off('data', onData);
        resolve(m[1]!);
      }
    };
    child.stdout.on('data', onData);
    child.once('exit', (code) => reject(new Error(`exited with ${code}: ${output}`)));
  });
  const exitedAt = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const post = (body: string) =>
    new Promise<number>((resolve, reject) => {
      const url = new URL(graphqlUrl);
      const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
      const req = send(
        url,
        { method: 'POST', ca, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } },
        (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  return {
    child,
    graphqlUrl,
    post,
    exited: Promise.race([exitedAt, new Promise<'still running'>((r) => setTimeout(() => r('still running'), 120_000).unref())]),
  };
}

/** Sends SIGTERM and waits for the exit, at most EXIT_WITHIN_MS; a process still up is killed. */
async function terminate(server: RunningServer): Promise<number | null | 'still running'> {
  server.child.kill('SIGTERM');
  const outcome = await Promise.race([server.exited, new Promise<'still running'>((r) => setTimeout(() => r('still running'), EXIT_WITHIN_MS))]);
  if (outcome === 'still running') server.child.kill('SIGKILL');
  return outcome;
}

/** Log lines the server writes: one per sign-up, a few at a time. */
async function makeLogLines(server: RunningServer, count: number): Promise<void> {
  const signUp = () =>
    JSON.stringify({
      query: 'mutation($i: SignUpInput!) { signUp(input: $i) { user { id } } }',
      variables: { i: { email: uniqueEmail('pipe'), password: TEST_PASSWORD } },
    });
  for (let done = 0; done < count; done += 8) {
    const statuses = await Promise.all(Array.from({ length: 8 }, () => server.post(signUp())));
    expect(statuses.every((s) => s === 200)).toBe(true);
  }
}

describe.each([
  { mode: 'development server (HTTP)', tls: false },
  { mode: 'production server (TLS)', tls: true },
])('SIGTERM to the $mode', ({ tls }) => {
  let dir: string;
  let cert: string | undefined;
  const env: Record<string, string> = { NODE_ENV: 'development' };

  beforeAll(async () => {
    if (!tls) return;
    const keyPair = generateKeyPairSync('rsa', {
      modulusLength: 2048,
      publicKeyEncoding: { type: 'spki', format: 'pem' },
      privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    });
    const pems = await generate([{ name: 'commonName', value: 'localhost' }], {
      keyPair,
      algorithm: 'sha256',
      extensions: [{ name: 'subjectAltName', altNames: [{ type: 7, ip: '127.0.0.1' }] }],
    });
    dir = await mkdtemp(join(tmpdir(), 'tokentrace-shutdown-'));
    cert = pems.cert;
    await writeFile(join(dir, 'cert.pem'), pems.cert);
    await writeFile(join(dir, 'key.pem'), pems.private);
    Object.assign(env, {
      NODE_ENV: 'production',
      TOKENTRACE_TLS_CERT: join(dir, 'cert.pem'),
      TOKENTRACE_TLS_KEY: join(dir, 'key.pem'),
      TOKENTRACE_ENCRYPTION_KEYS: `k1:${randomBytes(32).toString('base64')}`,
      TOKENTRACE_AUDIT_KEYS: `a1:${randomBytes(32).toString('base64')}`,
    });
  });
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('exits 0 when stdout stopped being read and is full', async () => {
    const server = await startServer(env, cert);
    // The reader stays attached but takes nothing more, like a hung log shipper.
    server.child.stdout.pause();
    await makeLogLines(server, SIGN_UPS_TO_FILL_THE_PIPE);
    expect(await terminate(server)).toBe(0);
  }, 120_000);

  it('exits 0 when stdout and stderr were closed by the reader', async () => {
    const server = await startServer(env, cert);
    server.child.stdout.destroy();
    server.child.stderr.destroy();
    await makeLogLines(server, 16);
    expect(await terminate(server)).toBe(0);
  }, 120_000);
});
