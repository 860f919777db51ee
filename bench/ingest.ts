// Ingest throughput through the whole HTTP path, against a raw multi-row INSERT of the same
// rows on the same database, in one run. Prints figures, not pass/fail; exits non-zero only
// when the run itself is invalid (spans rejected or missing, errors, timeout).
//
//   npm run bench:ingest                                        # embedded PGlite, temp dir
//   BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/test npm run bench:ingest
//   npm run bench:ingest -- --db=postgres --senders=4 --batch=100 --batches=600 --warmup=20
//
// Postgres: a fresh database `tokentrace_bench_<time>` is created on the server of
// BENCH_DATABASE_URL (or DATABASE_URL) and dropped at the end. PGlite: a fresh temp data dir,
// removed at the end.

import { createHash, randomBytes } from 'node:crypto';
import { availableParallelism, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { generateKey } from '../plugins/encryption/key-ring';
import { CompiledQuery, sql } from 'kysely';
import pg from 'pg';
import { createApp, type App } from '../server/app';
import { loadConfig } from '../server/config';
import { cpuSecondsBetween, hostBusyCores, hostCpuTicks, mainThreadCpuSeconds, processCpuSeconds } from './lib/cpu';
import { runRawPhase, type Execute, type RawPhaseResult } from './lib/raw-insert';
import type { PhaseResult } from './lib/sender-worker';
import { runHttpPhase, startSenderWorker } from './lib/senders';
import { createIngestKey, listen } from './lib/setup';
import { codecForProject } from './lib/project-codec';
import { makeBatch, MODEL, SPANS_PER_TRACE } from './lib/spans';
import { fmt, percentile, table } from './lib/stats';
import { createPgliteStorage, createPostgresStorage, withDatabase, type BenchStorage } from './lib/storage';

const { values: flags } = parseArgs({
  options: {
    db: { type: 'string' },
    senders: { type: 'string', default: '4' },
    batch: { type: 'string', default: '100' },
    batches: { type: 'string' },
    warmup: { type: 'string' },
    rounds: { type: 'string', default: '4' },
    timeout: { type: 'string', default: '300' },
    plugins: { type: 'string', default: 'default' },
    pii: { type: 'boolean', default: false },
    'raw-prepared': { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
  strict: true,
});

if (flags.help) {
  console.log(`usage: npm run bench:ingest -- [--db=pglite|postgres] [--senders=4] [--batch=100]
                                [--batches=N] [--warmup=N] [--rounds=4] [--timeout=300] [--plugins=default|none] [--pii] [--raw-prepared]
  --batches  measured batches in all (default: 600 on Postgres, 200 on PGlite)
  --warmup   warm-up batches before measuring (default: 5 per sender)
  --rounds   the measured batches are split into this many raw/HTTP rounds, alternating
  --timeout  seconds before the whole run is abandoned
  --raw-prepared  the baseline's INSERT as a named (prepared) statement too, as ingest's writes are on Postgres
  Postgres server from BENCH_DATABASE_URL or DATABASE_URL.`);
  process.exit(0);
}

function positiveInt(name: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} must be a positive integer, got ${raw}`);
  return n;
}

const serverUrl = process.env.BENCH_DATABASE_URL || process.env.DATABASE_URL || undefined;
const dbKind = (flags.db ?? (serverUrl ? 'postgres' : 'pglite')) as 'postgres' | 'pglite';
if (dbKind !== 'postgres' && dbKind !== 'pglite') throw new Error(`--db must be pglite or postgres, got ${flags.db}`);
if (dbKind === 'postgres' && !serverUrl) throw new Error('--db=postgres needs BENCH_DATABASE_URL (or DATABASE_URL)');

const senders = positiveInt('senders', flags.senders, 4);
const batchSize = positiveInt('batch', flags.batch, 100);
const batches = positiveInt('batches', flags.batches, dbKind === 'postgres' ? 600 : 200);
const warmup = positiveInt('warmup', flags.warmup, 5 * senders);
const rounds = positiveInt('rounds', flags.rounds, 4);
const timeoutMs = positiveInt('timeout', flags.timeout, 300) * 1000;
const runTag = `bench${randomBytes(3).toString('hex')}`;
const baseTimeMs = Date.now();
const cpus = availableParallelism();

// ---------------------------------------------------------------------------------------------
// Everything that must be undone, in reverse order of creation.

const cleanups: { label: string; run: () => Promise<unknown> }[] = [];
let cleaning: Promise<void> | undefined;

function cleanup(): Promise<void> {
  cleaning ??= (async () => {
    for (const { label, run } of cleanups.splice(0).reverse()) {
      try {
        await run();
      } catch (err) {
        console.error(`cleanup (${label}) failed: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
  })();
  return cleaning;
}

let aborting = false;

async function abort(reason: string): Promise<never> {
  aborting = true;
  console.error(`\nbench aborted: ${reason}`);
  const bound = setTimeout(() => process.exit(1), 20_000);
  bound.unref();
  await cleanup();
  process.exit(1);
}

const globalTimer = setTimeout(() => void abort(`global timeout of ${timeoutMs / 1000}s reached`), timeoutMs);
globalTimer.unref();
process.once('SIGINT', () => void abort('interrupted'));
process.once('SIGTERM', () => void abort('terminated'));

// ---------------------------------------------------------------------------------------------
// Measuring a path over several rounds: wall time of the phases themselves, CPU of this
// process, of the host and of the database (Postgres on this host only), event-loop
// utilisation of the server thread. The host is shared, so raw and HTTP rounds alternate:
// background load that comes and goes then weighs on both paths alike.

interface Usage {
  /** CPU ms per batch of the main thread: the server (and PGlite, when embedded). */
  serverMs: number | null;
  /** CPU ms per batch of this whole process: both threads, GC helpers, libuv's pool. */
  nodeMs: number;
  /** CPU ms per batch of the Postgres processes (on this host only). */
  dbMs: number | null;
  serverElu: number;
  /** Cores the rest of the host kept busy meanwhile: host − this process − Postgres. */
  otherCores: number | null;
}

class Meter {
  private wallMs = 0;
  private cpuMicros = 0;
  private mainSeconds = 0;
  private mainOk = true;
  private eluActive = 0;
  private eluIdle = 0;
  private hostBusy = 0;
  private hostTotal = 0;
  private hostOk = true;
  private dbSeconds = 0;
  private dbOk = true;
  elapsedMs = 0;
  latenciesMs: number[] = [];

  constructor(private readonly dbPids: () => Promise<number[]>) {}

  async round<T extends { elapsedMs: number; latenciesMs: number[] }>(run: () => Promise<T>): Promise<T> {
    const dbBefore = await processCpuSeconds(await this.dbPids());
    const hostBefore = await hostCpuTicks();
    const mainBefore = await mainThreadCpuSeconds();
    const cpuBefore = process.cpuUsage();
    const eluBefore = performance.eventLoopUtilization();
    const wall0 = performance.now();
    const result = await run();
    this.wallMs += performance.now() - wall0;
    const elu = performance.eventLoopUtilization(eluBefore);
    const cpu = process.cpuUsage(cpuBefore);
    const mainAfter = await mainThreadCpuSeconds();
    const hostAfter = await hostCpuTicks();
    const dbAfter = await processCpuSeconds(await this.dbPids());
    this.eluActive += elu.active;
    this.eluIdle += elu.idle;
    this.cpuMicros += cpu.user + cpu.system;
    if (mainBefore !== null && mainAfter !== null) this.mainSeconds += mainAfter - mainBefore;
    else this.mainOk = false;
    if (hostBefore && hostAfter) {
      this.hostBusy += hostAfter.busy - hostBefore.busy;
      this.hostTotal += hostAfter.total - hostBefore.total;
    } else this.hostOk = false;
    const db = cpuSecondsBetween(dbBefore, dbAfter);
    if (db === null) this.dbOk = false;
    else this.dbSeconds += db;
    this.elapsedMs += result.elapsedMs;
    this.latenciesMs.push(...result.latenciesMs);
    return result;
  }

  usage(): Usage {
    const n = this.latenciesMs.length;
    const nodeMs = this.cpuMicros / 1000 / n;
    const dbMs = this.dbOk ? (this.dbSeconds * 1000) / n : null;
    const hostCores = this.hostOk ? hostBusyCores({ busy: 0, total: 0 }, { busy: this.hostBusy, total: this.hostTotal }, cpus) : null;
    const ownCores = ((nodeMs + (dbMs ?? 0)) * n) / this.wallMs;
    return {
      serverMs: this.mainOk ? (this.mainSeconds * 1000) / n : null,
      nodeMs,
      dbMs,
      serverElu: this.eluActive / (this.eluActive + this.eluIdle),
      otherCores: hostCores === null ? null : Math.max(0, hostCores - ownCores),
    };
  }
}

// ---------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const storage: BenchStorage = dbKind === 'postgres' ? await createPostgresStorage(serverUrl!) : await createPgliteStorage();
  cleanups.push({ label: `remove ${storage.label}`, run: () => storage.dispose() });

  // --plugins=default: the built-ins as a fresh install runs them (encryption at rest on);
  // --plugins=none: no plugins at all (identity codec, no redactors), the pre-plugin pipeline.
  if (flags.plugins !== 'default' && flags.plugins !== 'none') throw new Error('--plugins must be default or none');
  const config = loadConfig({
    NODE_ENV: 'production',
    // Plain HTTP on loopback, as behind a TLS-terminating proxy: the bench measures ingest, not TLS.
    TOKENTRACE_TLS_TERMINATED_BY_PROXY: 'true',
    LOG_LEVEL: 'silent',
    HOST: '127.0.0.1',
    PORT: '0',
    TOKENTRACE_ENCRYPTION_KEYS: `bench:${generateKey()}`,
    ...storage.env,
  });
  const setupStarted = performance.now();
  const app: App = await createApp(config, flags.plugins === 'none' ? { plugins: [] } : {});
  console.log(`plugins: ${app.deps.plugins.names.join(', ') || 'none'} (codec ${app.deps.codec.name}); piiRedaction ${flags.pii ? 'on' : 'off'}`);
  cleanups.push({ label: 'app.close', run: () => app.close() });

  const http = await listen(app);
  cleanups.push({ label: 'server.close', run: () => http.close() });
  const endpoint = http.endpoint;

  // Through the real API: a user, a project and an ingest key.
  const { projectId: httpProjectId, secret } = await createIngestKey(endpoint, { piiRedaction: flags.pii });

  // The baseline's project, inserted directly.
  const rawProject = await app.deps.db
    .insertInto('projects')
    .values({ name: 'raw insert baseline', settings: '{}' })
    .returning('id')
    .executeTakeFirstOrThrow();
  const rawProjectId = rawProject.id;
  const rawCodec = await codecForProject(app, rawProjectId);

  // The baseline's connections: a pool of its own on Postgres, the one embedded connection on PGlite.
  let execute: Execute;
  let dbPids: () => Promise<number[]> = async () => [];
  if (storage.kind === 'postgres') {
    const benchDb = new URL(storage.databaseUrl!).pathname.slice(1);
    const pool = new pg.Pool({ connectionString: withDatabase(serverUrl!, benchDb, 'tokentrace-bench-raw'), max: senders });
    pool.on('error', () => {});
    cleanups.push({ label: 'pool.end', run: () => pool.end() });
    await Promise.all(Array.from({ length: senders }, () => pool.query('select 1')));
    // Ingest prepares its writes (server/db/prepared-statements.ts); --raw-prepared gives the
    // baseline the same advantage, for a stricter comparison than the issue's plain INSERT.
    execute = flags['raw-prepared']
      ? (text, params) => pool.query({ name: `raw_${createHash('sha1').update(text).digest('hex')}`, text, values: params })
      : (text, params) => pool.query(text, params);
    // Backends of the bench database plus the server's WAL writer, checkpointer and bgwriter.
    dbPids = async () => {
      const r = await pool.query<{ pid: number }>(
        `select pid from pg_stat_activity
          where datname = $1 or backend_type in ('walwriter', 'checkpointer', 'background writer')`,
        [benchDb],
      );
      return r.rows.map((row) => row.pid);
    };
  } else {
    const db = app.deps.db;
    execute = (text, params) => db.executeQuery(CompiledQuery.raw(text, params));
  }

  const worker = startSenderWorker({
    endpoint,
    secret,
    senders,
    batchSize,
    runTag,
    baseTimeMs,
    requestTimeoutMs: 120_000,
  });
  cleanups.push({ label: 'worker.terminate', run: () => worker.terminate() });
  const setupMs = performance.now() - setupStarted;

  // Warm-up: both paths, same batch numbers, not measured.
  const rawArgs = { execute, connections: senders, projectId: rawProjectId, runTag, baseTimeMs, batchSize, prices: app.deps.prices, codec: rawCodec };
  const httpResults: PhaseResult[] = [await runHttpPhase(worker, { type: 'run', phase: 'warmup', first: 0, count: warmup })];
  await runRawPhase({ ...rawArgs, first: 0, count: warmup });

  // Measured: the same batch numbers on both paths, in alternating rounds (raw, HTTP, HTTP,
  // raw, raw, HTTP, …) so that neither path always writes into the larger table or meets the
  // host's background load alone.
  const rawMeter = new Meter(dbPids);
  const httpMeter = new Meter(dbPids);
  let first = warmup;
  let httpRequestBytes = 0;
  let senderElu = 0;
  for (let r = 0; r < rounds; r++) {
    const count = Math.floor(batches / rounds) + (r < batches % rounds ? 1 : 0);
    if (count === 0) continue;
    const runRaw = () => rawMeter.round<RawPhaseResult>(() => runRawPhase({ ...rawArgs, first, count }));
    const runHttp = async () => {
      const res = await httpMeter.round(() => runHttpPhase(worker, { type: 'run', phase: `round ${r + 1}`, first, count }));
      httpResults.push(res);
      httpRequestBytes += res.requestBytes;
      senderElu += res.elu * res.elapsedMs;
    };
    if (r % 2 === 0) {
      await runRaw();
      await runHttp();
    } else {
      await runHttp();
      await runRaw();
    }
    first += count;
  }

  // Verify: every span stored, none rejected, trace roll-ups complete.
  const expectedSpans = (warmup + batches) * batchSize;
  const expectedTraces = (warmup + batches) * Math.ceil(batchSize / SPANS_PER_TRACE);
  const counts = await sql<{ project_id: string; n: string | number }>`
    select project_id, count(*) as n from spans group by project_id`.execute(app.deps.db);
  const countOf = (id: string) => Number(counts.rows.find((r) => r.project_id === id)?.n ?? 0);
  const traceStats = await sql<{ traces: string | number; spans: string | number | null }>`
    select count(*) as traces, sum(span_count) as spans from traces where project_id = ${httpProjectId}`.execute(app.deps.db);
  const httpSpans = countOf(httpProjectId);
  const rawSpans = countOf(rawProjectId);
  const traces = Number(traceStats.rows[0]?.traces ?? 0);
  const rolledUp = Number(traceStats.rows[0]?.spans ?? 0);
  const accepted = httpResults.reduce((n, res) => n + res.accepted, 0);
  const rejected = httpResults.reduce((n, res) => n + res.rejected, 0);
  const failed = httpResults.reduce((n, res) => n + res.failedBatches, 0);
  const firstProblem = httpResults.find((res) => res.firstProblem)?.firstProblem;
  const problems: string[] = [];
  if (httpSpans !== expectedSpans) problems.push(`spans via HTTP: ${httpSpans} stored, ${expectedSpans} expected`);
  if (accepted !== expectedSpans) problems.push(`spans via HTTP: ${accepted} accepted, ${expectedSpans} expected`);
  if (rawSpans !== expectedSpans) problems.push(`spans via raw INSERT: ${rawSpans} stored, ${expectedSpans} expected`);
  if (rejected > 0) problems.push(`${rejected} spans rejected`);
  if (failed > 0) problems.push(`${failed} batches failed; first: ${firstProblem}`);
  if (traces !== expectedTraces || rolledUp !== expectedSpans) {
    problems.push(`traces: ${traces} rows rolling up ${rolledUp} spans, ${expectedTraces} / ${expectedSpans} expected`);
  }

  // Figures.
  const sample = makeBatch(runTag, 0, batchSize, baseTimeMs);
  const avgBytes = (pick: (s: (typeof sample)[number]) => unknown) =>
    sample.reduce((n, s) => n + Buffer.byteLength(JSON.stringify(pick(s))), 0) / sample.length;
  const measuredSpans = batches * batchSize;
  const httpRate = measuredSpans / (httpMeter.elapsedMs / 1000);
  const rawRate = measuredSpans / (rawMeter.elapsedMs / 1000);
  const serverVersion = await sql<{ v: string }>`select current_setting('server_version') as v`.execute(app.deps.db);

  const row = (name: string, meter: Meter, rate: number) => {
    const u = meter.usage();
    return [
      name,
      fmt(rate),
      fmt(meter.elapsedMs / 1000, 2),
      fmt(percentile(meter.latenciesMs, 50), 1),
      fmt(percentile(meter.latenciesMs, 99), 1),
      fmt(u.serverElu, 2),
      fmt(u.serverMs, 1),
      fmt(u.nodeMs, 1),
      fmt(u.dbMs, 1),
      fmt(u.otherCores, 2),
    ];
  };
  const load = loadavg().map((l) => l.toFixed(1)).join(' ');
  console.log(
    `tokentrace ingest bench: ${storage.kind === 'postgres' ? `Postgres ${serverVersion.rows[0]?.v}` : `PGlite (Postgres ${serverVersion.rows[0]?.v})`}, ` +
      `node ${process.version}, ${cpus} CPUs, load avg ${load}, setup ${fmt(setupMs / 1000, 1)} s`,
  );
  console.log(
    `senders=${senders} batch=${batchSize} batches=${batches} in ${rounds} alternating rounds (+${warmup} warm-up) spans=${fmt(measuredSpans)}; ` +
      `${SPANS_PER_TRACE} spans/trace, ${MODEL}, input≈${fmt(avgBytes((s) => s.input))} B output≈${fmt(avgBytes((s) => s.output))} B, ` +
      `request≈${fmt(httpRequestBytes / batches / 1024)} KiB`,
  );
  console.log(
    `raw INSERT${flags['raw-prepared'] ? ' (prepared)' : ''} on ${storage.kind === 'postgres' ? `a separate pg Pool of ${senders}` : 'the one embedded connection'}; ` +
      `HTTP senders on a worker thread (elu ${fmt(senderElu / httpMeter.elapsedMs, 2)}); server on the main thread` +
      `${storage.kind === 'pglite' ? ', PGlite too' : ''}`,
  );
  console.log('');
  console.log(
    table(
      ['path', 'spans/s', 'elapsed_s', 'p50_ms', 'p99_ms', 'server_elu', 'main_cpu', 'node_cpu', 'db_cpu', 'other_cores'],
      [row('HTTP ingest', httpMeter, httpRate), row('raw INSERT', rawMeter, rawRate)],
    ),
  );
  console.log(
    `(p50/p99: latency per batch; *_cpu: CPU ms per batch of ${batchSize} spans — main_cpu the main thread ` +
      `(server${storage.kind === 'pglite' ? ' + PGlite' : ''}), node_cpu the whole process incl. the sender thread, ` +
      `db_cpu Postgres backends + background processes; other_cores: load from the rest of the host)`,
  );
  console.log(
    problems.length === 0
      ? `verified: ${fmt(httpSpans)} spans via HTTP, ${fmt(rawSpans)} raw, ${fmt(traces)} traces rolling up ${fmt(rolledUp)} spans; every response rejected: []`
      : `INVALID RUN, the figures do not count:\n  ${problems.join('\n  ')}`,
  );
  console.log(`ratio=${(httpRate / rawRate).toFixed(2)}`);
  if (problems.length > 0) process.exitCode = 1;
}

try {
  await main();
} catch (err) {
  // After an abort, failures of the work it cut short are expected and not worth printing.
  if (!aborting) console.error(err instanceof Error ? (err.stack ?? err.message) : String(err));
  process.exitCode = 1;
} finally {
  await cleanup();
  clearTimeout(globalTimer);
}
