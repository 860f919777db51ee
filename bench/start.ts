// Start time of `npm start` on the embedded default: from spawning the command to the server
// answering GET /readyz, on a data directory that an earlier start already created and
// migrated (the "second start" a user sees every day). Prints each run and the p50.
// `npm start` runs the prebuilt server bundle (scripts/start.mjs); the first, untimed start
// also builds it when a source changed, so the timed ones build nothing.
//
//   npm run bench:start                        # 5 runs of `npm start`
//   npm run bench:start -- --runs=9 --direct   # node scripts/start.mjs start, without npm's own start-up
//   npm run bench:start -- --sources           # node --import tsx server/cli.ts start (the sources, no bundle)
//
// --direct and --sources run Node with the flags of package.json's start script, as `npm start` does
// (bench/lib/start-script-flags.ts).
// Each run gets a free port and SIGTERM once ready; a run that is not ready in 60 s fails.

import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { freePort } from './lib/free-port';
import { parseArgs } from 'node:util';
import { positiveInt } from './lib/flags';
import { startScriptNodeFlags } from './lib/start-script-flags';
import { fmt, percentile } from './lib/stats';

const { values: flags } = parseArgs({
  options: {
    runs: { type: 'string', default: '5' },
    direct: { type: 'boolean', default: false },
    sources: { type: 'boolean', default: false },
  },
  strict: true,
});

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const runs = positiveInt('runs', flags.runs);
const nodeFlags = startScriptNodeFlags(ROOT);

async function ready(port: number): Promise<boolean> {
  try {
    const res = await fetch(`http://127.0.0.1:${port}/readyz`, { signal: AbortSignal.timeout(1000) });
    return res.status === 200;
  } catch {
    return false;
  }
}

/** One start: ms from spawn to the first 200 from /readyz. */
async function startOnce(dataDir: string): Promise<number> {
  const port = await freePort();
  const env = {
    ...process.env,
    NODE_ENV: 'development',
    LOG_LEVEL: 'warn',
    HOST: '127.0.0.1',
    PORT: String(port),
    TOKENTRACE_DATA_DIR: dataDir,
    DATABASE_URL: '',
    REDIS_URL: '',
  };
  const started = performance.now();
  const options = { cwd: ROOT, env, stdio: ['ignore', 'ignore', 'pipe'] as ('ignore' | 'pipe')[], detached: true };
  const child = flags.sources
    ? spawn(process.execPath, [...nodeFlags, '--import', 'tsx', 'server/cli.ts', 'start'], options)
    : flags.direct
      ? spawn(process.execPath, [...nodeFlags, 'scripts/start.mjs', 'start'], options)
      : spawn('npm', ['start', '--silent'], options);
  let stderr = '';
  child.stderr!.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
  let exited = false;
  child.once('exit', () => (exited = true));
  // The dashboard build is part of the first start only (and of no timed start).
  try {
    while (!(await ready(port))) {
      if (exited) throw new Error(`the server exited before it was ready:\n${stderr.slice(-2000)}`);
      if (performance.now() - started > 300_000) throw new Error("not ready after 300 s");
      await new Promise((r) => setTimeout(r, 10));
    }
    return performance.now() - started;
  } finally {
    // npm, its shell and the server form one process group: stop them all, and wait until the
    // last is gone (the server holds the data directory's lock until it exits).
    try {
      process.kill(-child.pid!, 'SIGTERM');
    } catch {
      // already gone
    }
    for (;;) {
      try {
        process.kill(-child.pid!, 0);
      } catch {
        break;
      }
      await new Promise((r) => setTimeout(r, 20));
    }
  }
}

const dataDir = await mkdtemp(join(tmpdir(), 'tokentrace-start-'));
try {
  const first = await startOnce(dataDir);
  console.log(`first start (creates and migrates ${dataDir}): ${fmt(first)} ms`);
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const ms = await startOnce(dataDir);
    times.push(ms);
    console.log(`start ${i + 1}: ${fmt(ms)} ms`);
  }
  const what = flags.sources ? `node ${nodeFlags.join(' ')} --import tsx server/cli.ts start` : flags.direct ? `node ${nodeFlags.join(' ')} scripts/start.mjs start` : 'npm start';
  console.log(`${what}, embedded PGlite, second and later starts: p50 ${fmt(percentile(times, 50))} ms, min ${fmt(Math.min(...times))} ms (${runs} runs)`);
} finally {
  await rm(dataDir, { recursive: true, force: true });
}
