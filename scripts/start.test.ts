import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, rm, stat, symlink, utimes, writeFile } from 'node:fs/promises';
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

interface BundleApi {
  bundleStaleReason(root?: string): string | null;
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
function launch(args: string[], env: Record<string, string> = {}, root = ROOT): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['scripts/start.mjs', ...args], { cwd: root, env: { ...process.env, TOKENTRACE_CONFIG: '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
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

/**
 * A project of the launcher's shape in a temporary folder: the launcher's two files copied, a
 * server of a few lines that answers an unknown command as the real one does, and this checkout's
 * node_modules (esbuild) linked in. Its bundle and stamp are its own.
 */
async function makeLauncherProject(): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'tokentrace-launcher-project-'));
  await mkdir(join(root, 'scripts'));
  await mkdir(join(root, 'server'));
  for (const file of ['scripts/start.mjs', 'scripts/server-bundle.mjs', 'tsconfig.json']) await copyFile(join(ROOT, file), join(root, file));
  await writeFile(join(root, 'package.json'), JSON.stringify({ name: 'launcher-project', private: true, type: 'module' }));
  await symlink(join(ROOT, 'node_modules'), join(root, 'node_modules'), 'dir');
  await writeFile(join(root, 'server/version.ts'), "export const VERSION = 'first';\n");
  await writeFile(join(root, 'server/cli-preamble.ts'), 'export {};\n');
  await writeFile(
    join(root, 'server/cli.ts'),
    "import { VERSION } from './version';\nconsole.error(`unknown command \"${process.argv[2]}\" (version ${VERSION})`);\nprocess.exit(2);\n",
  );
  return root;
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

  it('the launcher builds nothing when nothing changed', async () => {
    const unchanged = await launch(['no-such-command']);
    expect(unchanged.output).not.toMatch(/building the server/);
    expect(unchanged.output).toMatch(/unknown command "no-such-command"/);
    expect(unchanged.code).toBe(2);
  }, 120_000);

  // Touching a source of this checkout would race the other test files, whose servers start
  // through the same launcher and rebuild the shared bundle when they find it stale (CI once saw a
  // bundle stamped with the touched mtime, stale again once the test restored it). The mtime tests
  // therefore run the launcher's own two files in a small project of their own.
  describe('on a project of its own', () => {
    let root: string;
    const source = 'server/version.ts';
    beforeAll(async () => {
      root = await makeLauncherProject();
    });
    afterAll(async () => {
      await rm(root, { recursive: true, force: true });
    });

    it('names the source that changed; the same mtime again is current', async () => {
      const first = await launch(['no-such-command'], {}, root);
      expect(first.output).toMatch('building the server (no server bundle yet)');
      expect(first.output).toMatch(/unknown command "no-such-command"/);
      expect(bundleStaleReason(root)).toBeNull();
      const file = join(root, source);
      const { atime, mtime } = await stat(file);
      try {
        await utimes(file, atime, new Date(mtime.getTime() + 2_000));
        expect(bundleStaleReason(root)).toBe(`${source} changed since the server bundle was built`);
      } finally {
        await utimes(file, atime, mtime);
      }
      expect(bundleStaleReason(root)).toBeNull();
    }, 120_000);

    it('the launcher builds nothing when nothing changed, and rebuilds after a source changed', async () => {
      const unchanged = await launch(['no-such-command'], {}, root);
      expect(unchanged.output).not.toMatch(/building the server/);
      expect(unchanged.code).toBe(2);

      const file = join(root, source);
      await writeFile(file, "export const VERSION = 'edited';\n");
      const changed = await launch(['no-such-command'], {}, root);
      expect(changed.output).toMatch(`building the server (${source} changed since the server bundle was built)`);
      // The rebuilt bundle runs the edited source.
      expect(changed.output).toMatch('unknown command "no-such-command" (version edited)');
      expect(changed.code).toBe(2);
      expect(bundleStaleReason(root)).toBeNull();

      // A later mtime alone, as a `git pull` or an editor leaves it, also rebuilds. (Not one in the
      // future: a source newer than the build's start leaves no stamp, so the next start builds again.)
      const { atime } = await stat(file);
      await utimes(file, atime, new Date());
      const touched = await launch(['no-such-command'], {}, root);
      expect(touched.output).toMatch(`building the server (${source} changed since the server bundle was built)`);
      expect(bundleStaleReason(root)).toBeNull();
    }, 120_000);
  });

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
