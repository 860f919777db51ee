// Ingest throughput through the whole HTTP path, against a raw multi-row INSERT of the same
// rows on the same database, in one run. Prints figures, not pass/fail; exits non-zero only
// when the run itself is invalid (spans rejected or missing, errors, timeout).
//
//   npm run bench:ingest                                        # embedded PGlite, temp dir
//   BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/test npm run bench:ingest
//   npm run bench:ingest -- --db=postgres --senders=4 --batch=100 --batches=600 --warmup=20
//   npm run bench:ingest -- --otlp     # also the OTLP door (protobuf, the same spans and content)
//   npm run bench:ingest -- --pii      # the ingest projects with piiRedaction on
//   npm run bench:ingest -- --cpu-prof # then one more round under the V8 profiler: top self time
//   npm run bench:ingest -- --workers=2  # the server as `npm start` runs it: a cluster of 2 (Postgres)
//
// Two baselines in every run, on the same database: a raw multi-row INSERT into the `spans`
// table (its indexes and constraints), and the same INSERT into a bare copy of it (primary key
// only, the same bytes), so the cost of our indexes shows beside the cost of the server.
//
// Postgres: a fresh database `tokentrace_bench_<time>` is created on the server of
// BENCH_DATABASE_URL (or DATABASE_URL) and dropped at the end. PGlite: a fresh temp data dir,
// removed at the end.

import { createHash, randomBytes } from 'node:crypto';
import { availableParallelism, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { benchDatabase, positiveInt } from './lib/flags';
import { generateKey } from '../plugins/encryption/key-ring';
import { CompiledQuery, sql } from 'kysely';
import pg from 'pg';
import { createApp, type App } from '../server/app';
import { loadConfig } from '../server/config';
import { Meter } from './lib/meter';
import { threadCpuSeconds } from './lib/cpu';
import { runRawPhase, type Execute, type RawPhaseResult } from './lib/raw-insert';
import type { PhaseResult } from './lib/sender-worker';
import { runHttpPhase, startSenderWorker, stopSenders } from './lib/senders';
import { startClusterServer } from './lib/cluster-server';
import { readProjectContent } from '../server/storage/content';
import { profiled, summarise } from './lib/cpu-profile';
import { createIngestKey, listen } from './lib/setup';
import { codecForProject } from './lib/project-codec';
import { startHttpFloor } from './lib/http-floor';
import { makeBatch, MODEL, SPANS_PER_TRACE } from './lib/spans';
import { fmt, percentile, table } from './lib/stats';
import { createPgliteStorage, createPostgresStorage, withDatabase, type BenchStorage } from './lib/storage';

const { values: flags } = parseArgs({
  options: {
    db: { type: 'string' },
    senders: { type: 'string', default: '4' },
    batch: { type: 'string', default: '100' },
    'spans-per-trace': { type: 'string' },
    batches: { type: 'string' },
    warmup: { type: 'string' },
    rounds: { type: 'string', default: '4' },
    timeout: { type: 'string', default: '300' },
    plugins: { type: 'string', default: 'default' },
    pii: { type: 'boolean', default: false },
    'raw-prepared': { type: 'boolean', default: false },
    otlp: { type: 'boolean', default: false },
    'cpu-prof': { type: 'boolean', default: false },
    'cpu-prof-file': { type: 'string' },
    workers: { type: 'string' },
    'http-floor': { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
  strict: true,
});

if (flags.help) {
  console.log(`usage: npm run bench:ingest -- [--db=pglite|postgres] [--senders=4] [--batch=100] [--spans-per-trace=10]
                                [--batches=N] [--warmup=N] [--rounds=4] [--timeout=300] [--plugins=default|none] [--pii] [--raw-prepared] [--otlp]
                                [--cpu-prof [--cpu-prof-file=F]] [--workers=N] [--http-floor]
  --batches  measured batches in all (default: 600 on Postgres, 200 on PGlite)
  --warmup   warm-up batches before measuring (default: 5 per sender)
  --spans-per-trace  each batch is cut into traces of this many spans (default ${SPANS_PER_TRACE}); 1 is an
             exporter's batch from a busy service, one span of each of many requests
  --rounds   the measured batches are split into this many raw/HTTP rounds, alternating
  --timeout  seconds before the whole run is abandoned
  --raw-prepared  the baseline's INSERT as a named (prepared) statement too, as ingest's writes are on Postgres
  --otlp     a third path: the same batches as OTLP/HTTP protobuf to /v1/traces (another project), beside GraphQL
  --cpu-prof after the measured rounds, one more round per door under the V8 profiler of the server's
             main thread; prints the top self-time items (--cpu-prof-file keeps the .cpuprofile)
  --workers  run the server as \`npm start\` does, a cluster of N processes (TOKENTRACE_WORKERS=N), in a
             child process instead of in this one; Postgres only; CPU figures then sum the workers' main threads
  --http-floor  one more path: the raw INSERT behind a bare node:http handler, sent the GraphQL bodies by the
             same senders (bench/lib/http-floor.ts); its ratio is the most any HTTP ingest could print on this host
  Postgres server from BENCH_DATABASE_URL or DATABASE_URL.`);
  process.exit(0);
}

const { kind: dbKind, serverUrl } = benchDatabase(flags.db);

const senders = positiveInt('senders', flags.senders, 4);
const batchSize = positiveInt('batch', flags.batch, 100);
const spansPerTrace = positiveInt('spans-per-trace', flags['spans-per-trace'], SPANS_PER_TRACE);
const batches = positiveInt('batches', flags.batches, dbKind === 'postgres' ? 600 : 200);
const warmup = positiveInt('warmup', flags.warmup, 5 * senders);
const rounds = positiveInt('rounds', flags.rounds, 4);
const timeoutMs = positiveInt('timeout', flags.timeout, 300) * 1000;
const runTag = `bench${randomBytes(3).toString('hex')}`;
const baseTimeMs = Date.now();
const cpus = availableParallelism();
const clusterWorkers = flags.workers === undefined ? undefined : positiveInt('workers', flags.workers, 1);
if (clusterWorkers !== undefined && dbKind !== 'postgres') throw new Error('--workers needs Postgres: on embedded PGlite the server is one process');
if (clusterWorkers !== undefined && flags['cpu-prof']) throw new Error('--cpu-prof profiles the in-process server: leave out --workers');

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

async function main(): Promise<void> {
  const storage: BenchStorage = dbKind === 'postgres' ? await createPostgresStorage(serverUrl!) : await createPgliteStorage();
  cleanups.push({ label: `remove ${storage.label}`, run: () => storage.dispose() });

  // --plugins=default: the built-ins as a fresh install runs them (encryption at rest on);
  // --plugins=none: no plugins at all (identity codec, no redactors), the pre-plugin pipeline.
  if (flags.plugins !== 'default' && flags.plugins !== 'none') throw new Error('--plugins must be default or none');
  if (clusterWorkers !== undefined && flags.plugins !== 'default') throw new Error('--workers runs the default plugins (the server reads its config file)');
  const serverEnv: Record<string, string> = {
    NODE_ENV: 'production',
    // Plain HTTP on loopback, as behind a TLS-terminating proxy: the bench measures ingest, not TLS.
    TOKENTRACE_TLS_TERMINATED_BY_PROXY: 'true',
    LOG_LEVEL: 'silent',
    HOST: '127.0.0.1',
    PORT: '0',
    TOKENTRACE_ENCRYPTION_KEYS: `bench:${generateKey()}`,
    TOKENTRACE_AUDIT_KEYS: `bench:${generateKey()}`,
    ...storage.env,
  };
  const config = loadConfig(serverEnv);
  const setupStarted = performance.now();
  const app: App = await createApp(config, flags.plugins === 'none' ? { plugins: [] } : {});
  cleanups.push({ label: 'app.close', run: () => app.close() });
  // The codec's worker thread starts on the first large batch and seals nothing until it is ready
  // (server/services/ingest/encode-pool.ts); the warm-up batches may not cover that, so wait here.
  // So do the read workers of both doors (otlp-read-pool.ts, graphql-read-pool.ts).
  // The threads they start are the ingest workers, apart in the CPU by thread printed below.
  const threadsBeforeWorkers = await threadCpuSeconds();
  const [encodeWorker, otlpReadWorker, graphqlReadWorker] = await Promise.all([
    app.deps.encodePool?.warm() ?? false,
    app.deps.otlpReadPool?.warm() ?? false,
    app.graphqlReadPool.warm(),
  ]);
  const workerTids = new Set([...(await threadCpuSeconds()).keys()].filter((tid) => !threadsBeforeWorkers.has(tid)));
  console.log(
    `plugins: ${app.deps.plugins.names.join(', ') || 'none'} (codec ${app.deps.codec.name}${encodeWorker ? ', sealing in its worker thread' : ''}); piiRedaction ${flags.pii ? 'on' : 'off'}` +
      `; large bodies read in worker threads: ${[graphqlReadWorker ? 'GraphQL' : '', flags.otlp && otlpReadWorker ? 'OTLP' : ''].filter(Boolean).join(', ') || 'none'}`,
  );

  // The server under test: in this process (its main thread measured directly), or with
  // --workers a cluster in a process tree of its own (every main thread of it measured).
  let endpoint: string;
  let serverCpu: (() => Promise<number | null>) | null = null;
  let serverLabel = 'server on the main thread of the bench';
  if (clusterWorkers !== undefined) {
    const cluster = await startClusterServer(serverEnv, clusterWorkers);
    cleanups.push({ label: 'cluster.stop', run: () => cluster.stop() });
    endpoint = cluster.endpoint;
    serverCpu = () => cluster.cpuSeconds();
    serverLabel = `server a cluster of ${(await cluster.workerPids()).length} workers in its own process (TOKENTRACE_WORKERS=${clusterWorkers})`;
  } else {
    const http = await listen(app);
    cleanups.push({ label: 'server.close', run: () => http.close() });
    endpoint = http.endpoint;
  }

  // Through the real API: a user, a project and an ingest key per HTTP door.
  const { projectId: httpProjectId, secret } = await createIngestKey(endpoint, { piiRedaction: flags.pii });
  const otlp = flags.otlp ? await createIngestKey(endpoint, { piiRedaction: flags.pii }) : undefined;

  // The baseline's project, inserted directly.
  const rawProject = await app.deps.db
    .insertInto('projects')
    .values({ name: 'raw insert baseline', settings: '{}' })
    .returning('id')
    .executeTakeFirstOrThrow();
  const rawProjectId = rawProject.id;
  const rawCodec = await codecForProject(app, rawProjectId);
  // The second baseline's table: the columns of `spans`, its primary key, nothing else (no
  // secondary index, no foreign key, no check). Its storage parameters are those of `spans`
  // (toast_tuple_target), so it stores the same bytes the same way.
  await sql`create table bench_bare_spans (like spans including defaults including storage, primary key (project_id, id))`.execute(app.deps.db);
  const spanOptions = await sql<{ option: string }>`select unnest(reloptions) as option from pg_class where oid = 'spans'::regclass`.execute(app.deps.db);
  if (spanOptions.rows.length > 0) {
    await sql`alter table bench_bare_spans set (${sql.raw(spanOptions.rows.map((r) => r.option).join(', '))})`.execute(app.deps.db);
  }

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

  // --http-floor: the raw INSERT behind HTTP, into a project of its own.
  let floorProjectId: string | undefined;
  let floorEndpoint: string | undefined;
  if (flags['http-floor']) {
    const project = await app.deps.db.insertInto('projects').values({ name: 'HTTP floor', settings: '{}' }).returning('id').executeTakeFirstOrThrow();
    floorProjectId = project.id;
    const floor = await startHttpFloor({ execute, projectId: floorProjectId, prices: app.deps.prices, codec: await codecForProject(app, floorProjectId) });
    cleanups.push({ label: 'floor.close', run: () => floor.close() });
    floorEndpoint = floor.endpoint;
  }

  const worker = startSenderWorker({
    endpoint,
    secret,
    senders,
    batchSize,
    spansPerTrace,
    runTag,
    baseTimeMs,
    requestTimeoutMs: 120_000,
    ...(otlp ? { otlp: { endpoint: endpoint.replace(/\/graphql$/, '/v1/traces'), secret: otlp.secret } } : {}),
    ...(floorEndpoint ? { floorEndpoint } : {}),
  });
  cleanups.push({ label: 'senders.stop', run: () => stopSenders(worker) });
  const setupMs = performance.now() - setupStarted;

  // The HTTP doors measured: GraphQL always, OTLP with --otlp.
  const doors: Door[] = [{ name: 'GraphQL ingest', door: 'graphql', projectId: httpProjectId, meter: new Meter(dbPids, serverCpu), results: [], bytes: 0, senderElu: 0 }];
  if (otlp) doors.push({ name: 'OTLP ingest (protobuf)', door: 'otlp', projectId: otlp.projectId, meter: new Meter(dbPids, serverCpu), results: [], bytes: 0, senderElu: 0 });
  // The floor's handler runs on this process's main thread, so its main_cpu is this thread's.
  if (floorProjectId) doors.push({ name: 'raw INSERT behind HTTP', door: 'floor', projectId: floorProjectId, meter: new Meter(dbPids), results: [], bytes: 0, senderElu: 0 });

  // Warm-up: every path, same batch numbers, not measured.
  const rawArgs = { execute, connections: senders, projectId: rawProjectId, runTag, baseTimeMs, batchSize, spansPerTrace, prices: app.deps.prices, codec: rawCodec };
  for (const d of doors) d.results.push(await runHttpPhase(worker, { type: 'run', phase: 'warmup', first: 0, count: warmup, door: d.door }));
  await runRawPhase({ ...rawArgs, first: 0, count: warmup });
  await runRawPhase({ ...rawArgs, first: 0, count: warmup, table: 'bench_bare_spans' });

  // Measured: the same batch numbers on every path, in rounds whose order rotates (raw, HTTP, …
  // then HTTP, …, raw) so that no path always writes into the larger table or meets the host's
  // background load alone.
  const rawMeter = new Meter(dbPids);
  const bareMeter = new Meter(dbPids);
  let first = warmup;
  for (let r = 0; r < rounds; r++) {
    const count = Math.floor(batches / rounds) + (r < batches % rounds ? 1 : 0);
    if (count === 0) continue;
    const runs: (() => Promise<unknown>)[] = [
      () => rawMeter.round<RawPhaseResult>(() => runRawPhase({ ...rawArgs, first, count })),
      () => bareMeter.round<RawPhaseResult>(() => runRawPhase({ ...rawArgs, first, count, table: 'bench_bare_spans' })),
      ...doors.map((d) => async () => {
        const res = await d.meter.round(() => runHttpPhase(worker, { type: 'run', phase: `round ${r + 1}`, first, count, door: d.door }));
        d.results.push(res);
        d.bytes += res.requestBytes;
        d.senderElu += res.elu * res.elapsedMs;
      }),
    ];
    for (let i = 0; i < runs.length; i++) await runs[(i + r) % runs.length]!();
    first += count;
  }

  // Verify: every span stored, none rejected, trace roll-ups complete.
  const expectedSpans = (warmup + batches) * batchSize;
  const expectedTraces = (warmup + batches) * Math.ceil(batchSize / spansPerTrace);
  const counts = await sql<{ project_id: string; n: string | number }>`
    select project_id, count(*) as n from spans group by project_id`.execute(app.deps.db);
  const countOf = (id: string) => Number(counts.rows.find((r) => r.project_id === id)?.n ?? 0);
  const problems: string[] = [];
  const verified: string[] = [];
  for (const d of doors) {
    if (d.door === 'floor') {
      // Rows only, as the raw INSERT's: no trace rows, nothing rolled up.
      const stored = countOf(d.projectId);
      const failed = d.results.reduce((n, res) => n + res.failedBatches, 0);
      if (stored !== expectedSpans) problems.push(`spans via ${d.name}: ${stored} stored, ${expectedSpans} expected`);
      if (failed > 0) problems.push(`${d.name}: ${failed} batches failed; first: ${d.results.find((res) => res.firstProblem)?.firstProblem}`);
      verified.push(`${fmt(stored)} spans via ${d.name}`);
      continue;
    }
    const traceStats = await sql<{ traces: string | number; spans: string | number | null }>`
      select count(*) as traces, sum(span_count) as spans from traces where project_id = ${d.projectId}`.execute(app.deps.db);
    const stored = countOf(d.projectId);
    const traces = Number(traceStats.rows[0]?.traces ?? 0);
    const rolledUp = Number(traceStats.rows[0]?.spans ?? 0);
    const accepted = d.results.reduce((n, res) => n + res.accepted, 0);
    const rejected = d.results.reduce((n, res) => n + res.rejected, 0);
    const failed = d.results.reduce((n, res) => n + res.failedBatches, 0);
    const firstProblem = d.results.find((res) => res.firstProblem)?.firstProblem;
    if (stored !== expectedSpans) problems.push(`spans via ${d.name}: ${stored} stored, ${expectedSpans} expected`);
    if (accepted !== expectedSpans) problems.push(`spans via ${d.name}: ${accepted} accepted, ${expectedSpans} expected`);
    if (rejected > 0) problems.push(`${d.name}: ${rejected} spans rejected`);
    if (failed > 0) problems.push(`${d.name}: ${failed} batches failed; first: ${firstProblem}`);
    if (traces !== expectedTraces || rolledUp !== expectedSpans) {
      problems.push(`${d.name} traces: ${traces} rows rolling up ${rolledUp} spans, ${expectedTraces} / ${expectedSpans} expected`);
    }
    // Every span was sent with content: none may be stored without, and a sample must read back as sent.
    const missing = await sql<{ n: string | number }>`
      select count(*) as n from spans where project_id = ${d.projectId} and (input is null or output is null)`.execute(app.deps.db);
    if (Number(missing.rows[0]?.n ?? 0) > 0) problems.push(`${d.name}: ${missing.rows[0]?.n} spans stored without their content`);
    const sample = await sql<{ id: string; input: Uint8Array; output: Uint8Array }>`
      select id, input, output from spans where project_id = ${d.projectId} order by random() limit 20`.execute(app.deps.db);
    for (const row of sample.rows) {
      for (const column of ['input', 'output'] as const) {
        const read = await readProjectContent(app.deps.codec, app.deps.projectKeys, row[column], { projectId: d.projectId, table: 'spans', rowId: row.id, column });
        const expected = column === 'input' ? 'messages' : 'content';
        if (!read.ok || typeof read.value !== 'object' || read.value === null || !(expected in read.value)) problems.push(`${d.name}: span ${row.id} ${column} does not read back`);
      }
    }
    verified.push(`${fmt(stored)} spans via ${d.name} (${fmt(traces)} traces rolling up ${fmt(rolledUp)}, content present and a sample read back)`);
  }
  const rawSpans = countOf(rawProjectId);
  if (rawSpans !== expectedSpans) problems.push(`spans via raw INSERT: ${rawSpans} stored, ${expectedSpans} expected`);
  const bareCount = await sql<{ n: string | number }>`select count(*) as n from bench_bare_spans`.execute(app.deps.db);
  const bareSpans = Number(bareCount.rows[0]?.n ?? 0);
  if (bareSpans !== expectedSpans) problems.push(`spans via bare-table INSERT: ${bareSpans} stored, ${expectedSpans} expected`);

  // --cpu-prof: one more round per door under the profiler, after the measured ones
  // and their verification: the profiler's own cost would skew the figures.
  const profiles: string[] = [];
  if (flags['cpu-prof']) {
    const count = Math.max(20, Math.floor(batches / rounds));
    for (const d of doors.filter((door) => door.door !== 'floor')) {
      const { profile } = await profiled(flags['cpu-prof-file'] ? `${flags['cpu-prof-file']}.${d.door}.cpuprofile` : undefined, () =>
        runHttpPhase(worker, { type: 'run', phase: 'profile', first: first + 100_000, count, door: d.door }),
      );
      profiles.push(`--- ${d.name}: V8 CPU profile of the server's main thread, ${count} batches ---`, ...summarise(profile!, 15));
    }
  }

  // Figures.
  const sample = makeBatch(runTag, 0, batchSize, baseTimeMs, spansPerTrace);
  const avgBytes = (pick: (s: (typeof sample)[number]) => unknown) =>
    sample.reduce((n, s) => n + Buffer.byteLength(JSON.stringify(pick(s))), 0) / sample.length;
  const measuredSpans = batches * batchSize;
  const rate = (meter: Meter) => measuredSpans / (meter.elapsedMs / 1000);
  const rawRate = rate(rawMeter);
  const serverVersion = await sql<{ v: string }>`select current_setting('server_version') as v`.execute(app.deps.db);

  const row = (name: string, meter: Meter) => {
    const u = meter.usage();
    return [
      name,
      fmt(rate(meter)),
      fmt(meter.elapsedMs / 1000, 2),
      fmt(percentile(meter.latenciesMs, 50), 1),
      fmt(percentile(meter.latenciesMs, 99), 1),
      fmt(u.serverElu, 2),
      fmt(u.serverMs, 1),
      fmt(u.serverMs === null ? null : (u.serverMs * 1000) / batchSize, 0),
      fmt(u.nodeMs, 1),
      fmt(u.dbMs, 1),
      fmt(u.otherCores, 2),
      fmt(u.serverFaults, 0),
    ];
  };
  const load = loadavg().map((l) => l.toFixed(1)).join(' ');
  console.log(
    `tokentrace ingest bench: ${storage.kind === 'postgres' ? `Postgres ${serverVersion.rows[0]?.v}` : `PGlite (Postgres ${serverVersion.rows[0]?.v})`}, ` +
      `node ${process.version}, ${cpus} CPUs, load avg ${load}, setup ${fmt(setupMs / 1000, 1)} s`,
  );
  console.log(
    `senders=${senders} batch=${batchSize} batches=${batches} in ${rounds} rotating rounds (+${warmup} warm-up) spans=${fmt(measuredSpans)} per path; ` +
      `${spansPerTrace} spans/trace, ${MODEL}, input≈${fmt(avgBytes((s) => s.input))} B output≈${fmt(avgBytes((s) => s.output))} B, ` +
      `request≈ ${doors.map((d) => `${fmt(d.bytes / batches / 1024)} KiB (${d.door})`).join(', ')}`,
  );
  console.log(
    `raw INSERT${flags['raw-prepared'] ? ' (prepared)' : ''} on ${storage.kind === 'postgres' ? `a separate pg Pool of ${senders}` : 'the one embedded connection'}; ` +
      `bare-table INSERT the same into bench_bare_spans (primary key only); ` +
      `HTTP senders in a child process (elu ${doors.map((d) => fmt(d.senderElu / d.meter.elapsedMs, 2)).join(', ')}); ${serverLabel}` +
      `${storage.kind === 'pglite' ? ', PGlite in its worker thread (in node_cpu, not in main_cpu)' : ''}`,
  );
  console.log('');
  console.log(
    table(
      ['path', 'spans/s', 'elapsed_s', 'p50_ms', 'p99_ms', 'server_elu', 'main_cpu', 'µs/span', 'node_cpu', 'db_cpu', 'other_cores', 'faults'],
      [...doors.map((d) => row(d.name, d.meter)), row('raw INSERT spans', rawMeter), row('raw INSERT bare table', bareMeter)],
    ),
  );
  console.log(
    `(p50/p99: latency per batch; *_cpu: CPU ms per batch of ${batchSize} spans — main_cpu the server's main thread` +
      `${clusterWorkers !== undefined ? 's (primary + workers)' : ''} (the bench's own for the raw rows), ` +
      `µs/span the same per span, node_cpu the whole bench process, ` +
      `db_cpu Postgres backends + background processes; other_cores: load from the rest of the host; ` +
      `faults: minor page faults of the server's main thread per batch, in-process server only)`,
  );
  console.log(
    problems.length === 0
      ? `verified: ${verified.join('; ')}; ${fmt(rawSpans)} raw; every response rejected nothing`
      : `INVALID RUN, the figures do not count:\n  ${problems.join('\n  ')}`,
  );
  if (clusterWorkers === undefined) {
    const g = app.graphqlReadPool.stats();
    const o = app.deps.otlpReadPool?.stats();
    console.log(
      `read in worker threads: GraphQL ${g.read} bodies (${g.sealed} sealed there too, ${g.notIngest} left to the main thread, ${g.handedBack} handed back)` +
        (flags.otlp && o ? `, OTLP ${o.read} (${o.sealed} sealed there too, ${o.handedBack} handed back)` : ''),
    );
    const e = app.deps.encodePool?.stats();
    if (e) console.log(`sealed in the codec's worker: ${e.encoded} batches (${e.handedBack} handed back)`);
  }
  const threadRows = [...doors.map((d) => [d.name, d.meter] as const), ['raw INSERT spans', rawMeter] as const].flatMap(([name, m]) => {
    const t = m.threadsMs(workerTids);
    return t ? [`${name} ${fmt(t.main, 1)} | ${fmt(t.workers, 1)} | ${fmt(t.others, 1)}`] : [];
  });
  if (threadRows.length > 0) {
    console.log(`CPU ms per batch by thread (main | ingest workers | V8's and libuv's helpers: GC, compiler, thread pool): ${threadRows.join('; ')}`);
  }
  const graphqlDoor = doors.find((d) => d.door === 'graphql');
  const otlpDoor = doors.find((d) => d.door === 'otlp');
  const floorDoor = doors.find((d) => d.door === 'floor');
  // Round by round: each round runs the same batches on every path, so its own ratio is a fair
  // one too, and the spread of the rounds says how far the host's noise moves the totals above.
  const perRound = (m: Meter) => {
    const ratios = m.rounds.map((round, r) => rawMeter.rounds[r]!.elapsedMs / round.elapsedMs);
    const micros = m.rounds.map((round) => (round.serverMs === null ? null : (round.serverMs * 1000) / (round.batches * batchSize)));
    const spread = (xs: number[], digits: number) => `${Math.min(...xs).toFixed(digits)}–${Math.max(...xs).toFixed(digits)}`;
    const known = micros.filter((x): x is number => x !== null);
    return (
      `ratio ${ratios.map((x) => x.toFixed(2)).join(' ')} (${spread(ratios, 2)})` +
      (known.length === micros.length ? `, main µs/span ${known.map((x) => x.toFixed(0)).join(' ')} (${spread(known, 0)})` : '')
    );
  };
  for (const d of doors) console.log(`per round, ${d.name}: ${perRound(d.meter)}`);
  const bareRate = rate(bareMeter);
  const cpuUs = (m: Meter) => {
    const ms = m.usage().serverMs;
    return ms === null ? 'n/a' : ((ms * 1000) / batchSize).toFixed(0);
  };
  // Main-thread CPU against the baseline's own in the same run: on a shared VM whose speed drifts
  // (the same code measured 57–94 µs/span within an hour) this one moves far less than µs/span.
  // The baseline seals content on its own main thread; the server seals a batch in its codec's
  // worker thread (encode-pool.ts), whose CPU node_cpu counts but main_cpu does not.
  const serverMs = graphqlDoor!.meter.usage().serverMs;
  const rawMs = rawMeter.usage().serverMs;
  const cpuVsRaw = serverMs === null || rawMs === null || rawMs === 0 ? 'n/a' : (serverMs / rawMs).toFixed(2);
  console.log(
    `ratio=${(rate(graphqlDoor!.meter) / rawRate).toFixed(2)} ratio_bare=${(rate(graphqlDoor!.meter) / bareRate).toFixed(2)} ` +
      `cpu_us_per_span=${cpuUs(graphqlDoor!.meter)} cpu_vs_raw=${cpuVsRaw} spans_per_s=${rate(graphqlDoor!.meter).toFixed(0)}` +
      `${clusterWorkers !== undefined ? ` workers=${clusterWorkers}` : ''}${flags.pii ? ' pii=on' : ''}`,
  );
  if (otlpDoor) {
    console.log(`otlp_ratio_bare=${(rate(otlpDoor.meter) / bareRate).toFixed(2)} otlp_cpu_us_per_span=${cpuUs(otlpDoor.meter)} otlp_spans_per_s=${rate(otlpDoor.meter).toFixed(0)}`);
    const cpuPerSpan = (m: Meter) => m.usage().serverMs;
    const g = cpuPerSpan(graphqlDoor!.meter);
    const o = cpuPerSpan(otlpDoor.meter);
    console.log(`otlp_ratio=${(rate(otlpDoor.meter) / rawRate).toFixed(2)} otlp_vs_graphql=${(rate(otlpDoor.meter) / rate(graphqlDoor!.meter)).toFixed(2)}` +
      (g !== null && o !== null ? ` otlp_cpu_vs_graphql=${(o / g).toFixed(2)}` : ''));
  }
  if (floorDoor) {
    // The floor against the raw INSERT: what HTTP alone costs here. GraphQL against the floor:
    // what the server's own work costs beyond it.
    console.log(
      `floor_ratio=${(rate(floorDoor.meter) / rawRate).toFixed(2)} graphql_vs_floor=${(rate(graphqlDoor!.meter) / rate(floorDoor.meter)).toFixed(2)}` +
        (otlpDoor ? ` otlp_vs_floor=${(rate(otlpDoor.meter) / rate(floorDoor.meter)).toFixed(2)}` : ''),
    );
  }
  for (const line of profiles) console.log(line);
  if (problems.length > 0) process.exitCode = 1;
}

interface Door {
  name: string;
  door: 'graphql' | 'otlp' | 'floor';
  projectId: string;
  meter: Meter;
  results: PhaseResult[];
  bytes: number;
  senderElu: number;
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
