import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, stat, utimes } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCK_FILE_NAME } from '../server/db/data-dir-lock';
import { launchServer, stopServer } from '../server/testing/launch-server';

// `npm start`'s launcher (scripts/start.mjs) and the server bundle it keeps current
// (scripts/server-bundle.mjs): nothing is built when nothing changed, an edited source is, and
// the bundled server serves. Cluster mode from the bundle: server/cluster/cluster.test.ts.

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const SOURCE = 'server/version.ts';

interface BundleApi {
  bundleStaleReason(): string | null;
  buildServerBundle(): Promise<{ ms: number; inputs: number }>;
}
// A JavaScript module without declarations: typed here by what the test uses.
const bundleModule: string = './server-bundle.mjs';
const { bundleStaleReason, buildServerBundle } = (await import(bundleModule)) as BundleApi;

interface Run {
  code: number | null;
  output: string;
}

/** Runs the launcher to the end (a command that exits). */
function launch(args: string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['scripts/start.mjs', ...args], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    child.once('error', reject);
    child.once('exit', (code) => resolve({ code, output }));
  });
}

const SERVER_ENV: Record<string, string> = {
  NODE_ENV: 'development',
  PORT: '0',
  HOST: '127.0.0.1',
  LOG_LEVEL: 'info',
  DATABASE_URL: '',
  REDIS_URL: '',
  TOKENTRACE_CONFIG: '',
  TOKENTRACE_SKIP_DASHBOARD_BUILD: '1',
};

/** Starts the server through the launcher, as `npm start` does; `stop()` gives its exit code. */
async function startServer(env: Record<string, string>) {
  const server = await launchServer({ ...SERVER_ENV, ...env });
  return { base: server.base, output: server.output, stop: () => stopServer(server) };
}

describe('npm start: the server bundle', () => {
  beforeAll(async () => {
    if (bundleStaleReason()) await buildServerBundle();
  }, 120_000);

  it('is current after a build, and the check costs a few stats', () => {
    const started = performance.now();
    expect(bundleStaleReason()).toBeNull();
    expect(performance.now() - started).toBeLessThan(100);
  });

  it('names the source that changed; the same mtime again is current', async () => {
    const file = join(ROOT, SOURCE);
    const { atime, mtime } = await stat(file);
    try {
      await utimes(file, atime, new Date(mtime.getTime() + 2_000));
      expect(bundleStaleReason()).toBe(`${SOURCE} changed since the server bundle was built`);
    } finally {
      await utimes(file, atime, mtime);
    }
    expect(bundleStaleReason()).toBeNull();
  });

  it('the launcher builds nothing when nothing changed, and rebuilds after a source changed', async () => {
    const unchanged = await launch(['no-such-command']);
    expect(unchanged.output).not.toMatch(/building the server/);
    expect(unchanged.output).toMatch(/unknown command "no-such-command"/);
    expect(unchanged.code).toBe(2);

    const file = join(ROOT, SOURCE);
    const { atime } = await stat(file);
    // A later mtime than the stamp's, as a `git pull` or an editor leaves it; content unchanged.
    await utimes(file, atime, new Date());
    const changed = await launch(['no-such-command']);
    expect(changed.output).toMatch(`building the server (${SOURCE} changed since the server bundle was built)`);
    expect(changed.code).toBe(2);
    // The file keeps its new mtime: restoring the old one would only make the next start build again.
    expect(bundleStaleReason()).toBeNull();
  }, 120_000);

  describe('the bundled server', () => {
    let dataDir: string;
    let server: Awaited<ReturnType<typeof startServer>>;
    beforeAll(async () => {
      dataDir = await mkdtemp(join(tmpdir(), 'tokentrace-launcher-'));
      server = await startServer({ TOKENTRACE_DATA_DIR: dataDir });
    }, 120_000);
    afterAll(async () => {
      if (server && !stopped) await server.stop();
      await rm(dataDir, { recursive: true, force: true });
    });
    let stopped = false;

    it('starts without building, and answers /readyz and GraphQL', async () => {
      expect(server.output()).not.toMatch(/building the server/);
      const ready = await fetch(`${server.base}/readyz`);
      expect(ready.status).toBe(200);
      const res = await fetch(`${server.base}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: '{ viewer { id } }' }),
      });
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ data: { viewer: null } });
    });

    it('refuses a second start on the same folder, naming the process that has it', async () => {
      const second = await launch(['start'], { ...SERVER_ENV, TOKENTRACE_DATA_DIR: dataDir });
      expect(second.output).toMatch(/tokentrace failed to start: The embedded database in .* is in use by process \d+/);
      expect(second.code).toBe(1);
    }, 120_000);

    it('finds what its sources find beside them: the GraphiQL page, the OTLP route, the migrations', async () => {
      const graphiql = await fetch(`${server.base}/graphql`, { headers: { accept: 'text/html' } });
      expect(graphiql.status).toBe(200);
      expect(await graphiql.text()).toMatch(/graphiql/i);
      // The OTLP schema is read from server/services/ingest/otlp/proto at load: a 401 (no key) means it loaded.
      const otlp = await fetch(`${server.base}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/x-protobuf' }, body: new Uint8Array() });
      expect(otlp.status).toBe(401);
      expect(server.output()).toMatch(/database migrated/);
    });

    // The database runs in a worker thread the start opened before anything else (server/db/pglite-worker-client.ts).
    it('stops on SIGTERM with exit code 0, having closed the database and released the folder', async () => {
      stopped = true;
      expect(await server.stop()).toBe(0);
      expect(existsSync(join(dataDir, LOCK_FILE_NAME))).toBe(false);
      expect(existsSync(join(dataDir, 'pgdata', 'postmaster.pid'))).toBe(false); // a clean close
    });

    it('a start its configuration refuses closes the database it had begun to open', async () => {
      const refused = await launch(['start'], { ...SERVER_ENV, TOKENTRACE_DATA_DIR: dataDir, PORT: 'not-a-port' });
      expect(refused.output).toMatch(/Invalid configuration:\n\s+PORT/);
      expect(refused.code).toBe(1);
      expect(existsSync(join(dataDir, LOCK_FILE_NAME))).toBe(false);
      expect(existsSync(join(dataDir, 'pgdata', 'postmaster.pid'))).toBe(false);
    }, 120_000);
  });

  it('loads a TypeScript config file and its plugins', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'tokentrace-launcher-config-'));
    try {
      const server = await startServer({ TOKENTRACE_DATA_DIR: dataDir, TOKENTRACE_CONFIG: join(ROOT, 'tokentrace.config.example.ts') });
      try {
        expect(server.output()).toMatch(/"source":"[^"]*tokentrace\.config\.example\.ts"/);
        expect((await fetch(`${server.base}/readyz`)).status).toBe(200);
      } finally {
        expect(await server.stop()).toBe(0);
      }
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  }, 120_000);
});
