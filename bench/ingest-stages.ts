// Where does ingest time go? The same batches (as bench/ingest.ts builds them) pushed through
// ever more of the ingest path, each stage into a fresh project, on one database:
//
//   1 raw INSERT          one multi-row INSERT (separate pg connection pool / the PGlite connection)
//   2 kysely INSERT       the same rows through the app's Kysely (query builder + app pool)
//   3 upsertSpans         the ON CONFLICT DO UPDATE … RETURNING statement, no transaction
//   4 store stage         transaction { upsertSpans (traces locked), roll-up }: by addition where it
//                         may (as ingest does), and always in full, in one run
//   5 ingest()            the pipeline: project lookup, map, validate, merge, redact, price, encode, store, publish
//   6 yoga.fetch          GraphQL in process: auth, parse, validate, variable coercion, resolver
//   7 HTTP               the real server on a socket, senders in a child process
//
// Inputs of every stage are built before its clock starts. Per stage: throughput, latency per
// batch, and CPU per batch of this process and of the Postgres backends, which stays
// meaningful when the host is shared and wall time is not.
//
//   node_modules/.bin/tsx bench/ingest-stages.ts [--db=pglite|postgres] [--batches=100]
//        [--concurrency=4] [--batch=100] [--only=1,4,7] [--profile=N] [--cpu-profile=FILE]
//        [--binding=values|arrays]
//
// --profile=N takes a V8 CPU profile of the main thread during stage N (7 by default when
// --cpu-profile names a file to keep it in) and prints self time by area and by function.

import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { benchDatabase, positiveInt } from './lib/flags';
import { generateKey } from '../plugins/encryption/key-ring';
import { CompiledQuery, type Kysely } from 'kysely';
import pg from 'pg';
import { createApp } from '../server/app';
import { loadConfig } from '../server/config';
import type { Database } from '../server/db/tables';
import { rowBindingFor, upsertSpans, type RowBinding } from '../server/db/repositories/spans';
import { appendToTraces } from '../server/db/repositories/trace-append-roll-up';
import { rollUpTraces, type TraceAttributesRow } from '../server/db/repositories/trace-roll-up';
import { usageWithinBatch } from '../server/services/ingest/usage-marks';
import { mapGraphqlSpan, type GraphqlSpanInput } from '../server/services/ingest/graphql/map-graphql-span';
import { ingest } from '../server/services/ingest/ingest';
import { cpuSecondsBetween, mainThreadCpuSeconds, processCpuSeconds } from './lib/cpu';
import { profiled, summarise } from './lib/cpu-profile';
import { insertStatement, rowValues, toSpanRow } from './lib/raw-insert';
import { runHttpPhase, startSenderWorker, stopSenders } from './lib/senders';
import { createIngestKey, listen } from './lib/setup';
import { codecForProject } from './lib/project-codec';
import { makeBatch, type BenchSpan } from './lib/spans';
import { fmt, percentile, table } from './lib/stats';
import { createPgliteStorage, createPostgresStorage, withDatabase } from './lib/storage';

const { values: flags } = parseArgs({
  options: {
    db: { type: 'string' },
    batches: { type: 'string', default: '100' },
    batch: { type: 'string', default: '100' },
    concurrency: { type: 'string', default: '4' },
    only: { type: 'string' },
    profile: { type: 'string' },
    'cpu-profile': { type: 'string' },
    timeout: { type: 'string', default: '600' },
    binding: { type: 'string' },
  },
  strict: true,
});

const { kind: dbKind, serverUrl } = benchDatabase(flags.db);
const batches = positiveInt('batches', flags.batches);
const batchSize = positiveInt('batch', flags.batch);
const concurrency = positiveInt('concurrency', flags.concurrency);
const profileStage = flags.profile ? Number(flags.profile) : flags['cpu-profile'] ? 7 : 0;
const only = flags.only ? new Set(flags.only.split(',').map(Number)) : undefined;
const runTag = `stg${randomBytes(3).toString('hex')}`;
const baseTimeMs = Date.now();

const timer = setTimeout(() => {
  console.error('ingest-stages: global timeout reached');
  process.exit(1);
}, Number(flags.timeout) * 1000);
timer.unref();

interface StageResult {
  name: string;
  elapsedMs: number;
  latencies: number[];
  mainCpuMs: number | null;
  nodeCpuMs: number;
  dbCpuMs: number | null;
  parts?: Map<string, number>;
}

const storage = dbKind === 'postgres' ? await createPostgresStorage(serverUrl!) : await createPgliteStorage();
const benchDb = storage.databaseUrl ? new URL(storage.databaseUrl).pathname.slice(1) : '';
const app = await createApp(
  loadConfig({ NODE_ENV: 'production', TOKENTRACE_TLS_TERMINATED_BY_PROXY: 'true', LOG_LEVEL: 'silent', TOKENTRACE_ENCRYPTION_KEYS: `bench:${generateKey()}`, TOKENTRACE_AUDIT_KEYS: `bench:${generateKey()}`, ...storage.env }),
);
const http = await listen(app);
const db: Kysely<Database> = app.deps.db;
// Stages 3 and 4 bind the upsert's rows as ingest does on this database (binary arrays on Postgres,
// a VALUES list on PGlite); --binding=values|arrays picks one, to compare them.
if (flags.binding !== undefined && flags.binding !== 'values' && flags.binding !== 'arrays') throw new Error('--binding must be values or arrays');
const binding: RowBinding = flags.binding === 'values' || flags.binding === 'arrays' ? flags.binding : rowBindingFor(app.deps.dbDialect);
const pool =
  storage.kind === 'postgres'
    ? new pg.Pool({ connectionString: withDatabase(serverUrl!, benchDb, 'tokentrace-bench-raw'), max: concurrency })
    : undefined;
const dbPids = async () =>
  pool
    ? (
        await pool.query<{ pid: number }>(
          `select pid from pg_stat_activity
            where datname = $1 or backend_type in ('walwriter', 'checkpointer', 'background writer')`,
          [benchDb],
        )
      ).rows.map((r) => r.pid)
    : [];
const results: StageResult[] = [];
let nextBatch = 0;
let worker: ReturnType<typeof startSenderWorker> | undefined;
let profileLines: string[] = [];

async function newProject(name: string): Promise<string> {
  return (await db.insertInto('projects').values({ name, settings: '{}' }).returning('id').executeTakeFirstOrThrow()).id;
}

/** Runs `ops` through `concurrency` loops; inputs are built first, the clock covers only `op`. */
async function stage<I>(
  name: string,
  build: (spans: BenchSpan[]) => I,
  op: (input: I, parts: Map<string, number>) => Promise<unknown>,
): Promise<void> {
  const inputs = Array.from({ length: batches }, () => build(makeBatch(runTag, nextBatch++, batchSize, baseTimeMs)));
  // One unmeasured op first: connections, statement caches, JIT.
  await op(inputs.pop()!, new Map());
  const parts = new Map<string, number>();
  const latencies: number[] = [];
  let next = 0;
  const dbBefore = await processCpuSeconds(await dbPids());
  const main0 = await mainThreadCpuSeconds();
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const loops = () =>
    Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < inputs.length) {
          const input = inputs[next++]!;
          const started = performance.now();
          await op(input, parts);
          latencies.push(performance.now() - started);
        }
      }),
    );
  if (profileStage === Number(name.split(' ')[0])) {
    const { profile } = await profiled(flags['cpu-profile'], loops);
    if (profile) profileLines = [`CPU profile of stage ${name}:`, ...summarise(profile)];
  } else await loops();
  const elapsedMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  const main1 = await mainThreadCpuSeconds();
  const dbSeconds = cpuSecondsBetween(dbBefore, await processCpuSeconds(await dbPids()));
  results.push({
    name,
    elapsedMs,
    latencies,
    mainCpuMs: main0 === null || main1 === null ? null : ((main1 - main0) * 1000) / inputs.length,
    nodeCpuMs: (cpu.user + cpu.system) / 1000 / inputs.length,
    dbCpuMs: dbSeconds === null ? null : (dbSeconds * 1000) / inputs.length,
    parts: parts.size ? new Map([...parts].map(([k, v]) => [k, v / inputs.length])) : undefined,
  });
  console.error(`  done: ${name}`);
}

const add = (parts: Map<string, number>, key: string, ms: number) => parts.set(key, (parts.get(key) ?? 0) + ms);

function traceRows(spans: BenchSpan[]): TraceAttributesRow[] {
  const rows = new Map<string, TraceAttributesRow>();
  for (const s of spans) {
    if (!rows.has(s.traceId)) {
      rows.set(s.traceId, {
        id: s.traceId,
        name: s.trace?.name ?? null,
        userId: s.trace?.userId ?? null,
        sessionId: s.trace?.sessionId ?? null,
        tags: s.trace?.tags ?? [],
        metadata: null,
      });
    }
  }
  return [...rows.values()].sort((a, b) => (a.id < b.id ? -1 : 1));
}

// As the GraphQL door hands spans to the pipeline: times still as sent.
const toInput = (s: BenchSpan): GraphqlSpanInput => ({ ...s });
const INGEST = 'mutation Ingest($spans: [SpanInput!]!) { ingest(spans: $spans) { accepted rejected { index id reason } } }';
const want = (n: number) => !only || only.has(n);

try {
  const { projectId: keyProject, secret } = await createIngestKey(http.endpoint);
  console.error(`ingest-stages on ${storage.kind}: ${batches} batches of ${batchSize}, concurrency ${concurrency}`);

  if (want(1)) {
    const p = await newProject('raw');
    const codec = await codecForProject(app, p);
    const exec = pool
      ? (text: string, params: unknown[]) => pool.query(text, params)
      : (text: string, params: unknown[]) => db.executeQuery(CompiledQuery.raw(text, params));
    await stage(
      '1 raw INSERT',
      (spans) => spans.flatMap((s) => rowValues(p, s, app.deps.prices, codec)),
      (params) => exec(insertStatement(batchSize), params),
    );
  }
  if (want(2)) {
    const p = await newProject('kysely');
    const codec = await codecForProject(app, p);
    await stage(
      '2 kysely INSERT',
      (spans) => spans.map((s) => toSpanRow(p, s, app.deps.prices, codec)),
      (rows) => db.insertInto('spans').values(rows).execute(),
    );
  }
  if (want(3)) {
    const p = await newProject('upsert');
    const codec = await codecForProject(app, p);
    await stage(
      '3 upsertSpans',
      (spans) => spans.map((s) => toSpanRow(p, s, app.deps.prices, codec)).sort((a, b) => (a.id < b.id ? -1 : 1)),
      (rows) => upsertSpans(db, rows, { projectId: p, traceIds: [...new Set(rows.map((r) => r.trace_id))] }, [], binding),
    );
  }
  if (want(4)) {
    // Twice: the roll-up as ingest does it (by addition where it may, trace-append-roll-up.ts) and
    // always in full from the stored spans (trace-roll-up.ts), each into its own project.
    for (const mode of ['in full', 'by addition'] as const) {
      const p = await newProject(mode === 'in full' ? 'store-full' : 'store');
      const codec = await codecForProject(app, p);
      await stage(
        `4 store stage (tx), roll-up ${mode}`,
        (spans) => ({
          rows: spans.map((s) => toSpanRow(p, s, app.deps.prices, codec)).sort((a, b) => (a.id < b.id ? -1 : 1)),
          traces: traceRows(spans),
        }),
        async ({ rows, traces }, parts) => {
          const t0 = performance.now();
          let t3 = 0;
          await db.transaction().execute(async (trx) => {
            const t1 = performance.now();
            add(parts, 'pool acquire + BEGIN', t1 - t0);
            const usage = usageWithinBatch(rows);
            const stored = await upsertSpans(trx, rows, { projectId: p, traceIds: traces.map((t) => t.id) }, usage.marks, binding);
            const t2 = performance.now();
            add(parts, 'upsertSpans (locks the traces first)', t2 - t1);
            // As ingest does: re-price from the stored row (new spans never differ, so no UPDATE).
            const repriced = stored.filter((r) => {
              const cost = r.model ? app.deps.prices.costFor(r.model, r.start_time, r.prompt_tokens, r.completion_tokens) : null;
              return cost === null || r.cost_usd === null ? cost !== r.cost_usd : Math.abs(cost - Number(r.cost_usd)) >= 1e-12;
            });
            if (repriced.length) throw new Error(`${repriced.length} spans would be re-priced`);
            const appended =
              mode === 'by addition' &&
              stored.length === 0 &&
              (await appendToTraces(trx, p, traces, { rows, ...usage }, binding));
            if (!appended) await rollUpTraces(trx, p, traces);
            t3 = performance.now();
            add(parts, 'roll-up', t3 - t2);
          });
          add(parts, 'COMMIT + release', performance.now() - t3);
        },
      );
    }
  }
  if (want(5)) {
    const p = await newProject('service');
    await stage(
      '5 ingest()',
      (spans) => spans.map(toInput),
      async (spans) => {
        const principal = { kind: 'ingestKey' as const, apiKeyId: 'bench', projectId: p };
        const r = await ingest(app.deps, { door: 'graphql', principal, items: spans, map: mapGraphqlSpan });
        if (r.rejected.length) throw new Error(JSON.stringify(r.rejected[0]));
      },
    );
  }
  if (want(6)) {
    await stage(
      '6 yoga.fetch',
      (spans) => {
        const body = JSON.stringify({ query: INGEST, variables: { spans } });
        return { body, length: String(Buffer.byteLength(body)) };
      },
      async ({ body, length }) => {
        const res = await app.yoga.fetch('http://127.0.0.1/graphql', {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${secret}`, 'content-length': length },
          body,
        });
        const json = (await res.json()) as { errors?: unknown; data?: { ingest: { rejected: unknown[] } } };
        if (json.errors || json.data?.ingest.rejected.length) throw new Error(JSON.stringify(json).slice(0, 300));
      },
    );
  }
  if (want(7)) {
    worker = startSenderWorker({ endpoint: http.endpoint, secret, senders: concurrency, batchSize, runTag, baseTimeMs, requestTimeoutMs: 120_000 });
    await runHttpPhase(worker, { type: 'run', phase: 'warm', first: nextBatch, count: concurrency });
    nextBatch += concurrency;
    const dbBefore = await processCpuSeconds(await dbPids());
    const main0 = await mainThreadCpuSeconds();
    const cpu0 = process.cpuUsage();
    const measure = () => runHttpPhase(worker!, { type: 'run', phase: 'measure', first: nextBatch, count: batches });
    let result: Awaited<ReturnType<typeof measure>>;
    if (profileStage === 7) {
      const out = await profiled(flags['cpu-profile'], measure);
      result = out.result;
      if (out.profile) profileLines = ['CPU profile of stage 7 (server thread only):', ...summarise(out.profile)];
    } else result = await measure();
    const cpu = process.cpuUsage(cpu0);
    const main1 = await mainThreadCpuSeconds();
    const dbSeconds = cpuSecondsBetween(dbBefore, await processCpuSeconds(await dbPids()));
    nextBatch += batches;
    if (result.failedBatches) throw new Error(`HTTP stage: ${result.firstProblem}`);
    results.push({
      name: '7 HTTP (senders in a child process)',
      elapsedMs: result.elapsedMs,
      latencies: result.latenciesMs,
      mainCpuMs: main0 === null || main1 === null ? null : ((main1 - main0) * 1000) / batches,
      nodeCpuMs: (cpu.user + cpu.system) / 1000 / batches,
      dbCpuMs: dbSeconds === null ? null : (dbSeconds * 1000) / batches,
    });
  }
  void keyProject;

  console.log(
    table(
      ['stage', 'spans/s', 'p50_ms', 'p99_ms', 'main_cpu_ms/batch', 'node_cpu_ms/batch', 'db_cpu_ms/batch'],
      results.map((r) => [
        r.name,
        fmt((batches * batchSize) / (r.elapsedMs / 1000)),
        fmt(percentile(r.latencies, 50), 1),
        fmt(percentile(r.latencies, 99), 1),
        fmt(r.mainCpuMs, 1),
        fmt(r.nodeCpuMs, 1),
        fmt(r.dbCpuMs, 1),
      ]),
    ),
  );
  for (const r of results.filter((x) => x.parts)) {
    console.log(`${r.name}, mean ms per batch: ${[...r.parts!].map(([k, v]) => `${k} ${v.toFixed(1)}`).join(', ')}`);
  }
  if (profileLines.length) console.log(profileLines.join('\n'));
} finally {
  if (worker) await stopSenders(worker);
  await http.close();
  await pool?.end();
  await app.close();
  await storage.dispose();
  clearTimeout(timer);
}
