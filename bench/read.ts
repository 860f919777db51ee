// The read path at scale (issue 15): seeds N spans through the API, then times the dashboard's
// reads through GraphQL over HTTP. Prints p50/p95 of --runs runs per read, bytes per span, and
// the usage query of the raw span scan (what project.usage ran before the roll-ups) on the same
// data in the same run, as a baseline.
//
//   npm run bench:read                                   # embedded PGlite, 1M spans (slow)
//   npm run bench:read -- --pg --spans=1000000           # Postgres at DATABASE_URL / BENCH_DATABASE_URL
//   npm run bench:read -- --pg --reuse                   # time again on the database seeded before
//
// Data: traces of 10 spans (an AGENT root without usage and 9 GENERATION children), N/10
// traces, 1,000 end users, 200 sessions, 6 models (one without a price), spread over the 7 days
// before the bench's anchor hour; ~2% of generations fail. Postgres: database `--db-name`
// (default bench_read) on the server, kept for --reuse. PGlite: data dir --data-dir, kept too.

import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { benchDatabase, positiveInt } from './lib/flags';
import { sql } from 'kysely';
import pg from 'pg';
import { generateKey } from '../plugins/encryption/key-ring';
import { createApp, type App } from '../server/app';
import { loadConfig } from '../server/config';
import { selectUsageByModel, selectUsageSeries } from '../server/db/repositories/usage';
import { compactUsageDeltas } from '../server/db/repositories/usage-rollups';
import { graphql, listen } from './lib/setup';
import { fmt, percentile, table } from './lib/stats';
import { withDatabase } from './lib/storage';

const { values: flags } = parseArgs({
  options: {
    spans: { type: 'string', default: '1000000' },
    runs: { type: 'string', default: '30' },
    senders: { type: 'string', default: '4' },
    pg: { type: 'boolean', default: false },
    'db-name': { type: 'string', default: 'bench_read' },
    'data-dir': { type: 'string' },
    reuse: { type: 'boolean', default: false },
    'no-baseline': { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
  strict: true,
});

if (flags.help) {
  console.log(`usage: npm run bench:read -- [--spans=1000000] [--runs=30] [--senders=4] [--pg] [--db-name=bench_read]
                             [--data-dir=DIR] [--reuse] [--no-baseline]
  --pg         Postgres at BENCH_DATABASE_URL or DATABASE_URL (else embedded PGlite in --data-dir)
  --reuse      skip seeding: time the database a previous run seeded (its state file says how)
  --no-baseline  skip timing the raw span scan of project.usage (slow at 1M spans)`);
  process.exit(0);
}

const SPANS = positiveInt('spans', flags.spans);
const RUNS = positiveInt('runs', flags.runs);
const SENDERS = positiveInt('senders', flags.senders);
const SPANS_PER_TRACE = 10;
const TRACES = Math.max(1, Math.floor(SPANS / SPANS_PER_TRACE));
const USERS = 1_000;
const SESSIONS = 200;
const BATCH_TRACES = 10;
const HOUR = 3_600_000;
const DAYS_MS = 7 * 24 * HOUR;
const MODELS = ['gpt-4o-mini', 'gpt-4o', 'claude-3-5-haiku', 'claude-3-5-sonnet', 'gemini-1.5-flash', 'acme-llm-9000'];
const PROVIDERS = ['openai', 'openai', 'anthropic', 'anthropic', 'google', 'acme'];
const TAGS = ['prod', 'beta', 'eval', 'checkout', 'support'];

const { serverUrl } = benchDatabase(flags.pg ? 'postgres' : 'pglite');
const dbName = flags['db-name']!;
if (!/^[a-z_][a-z0-9_]*$/.test(dbName)) throw new Error('--db-name must be a plain lower-case identifier');
const dataDir = flags['data-dir'] ?? join(tmpdir(), `tokentrace-bench-read-${dbName}`);
const stateFile = join(tmpdir(), `tokentrace-bench-read-${flags.pg ? 'pg' : 'pglite'}-${dbName}.json`);

interface SeedState {
  spans: number;
  anchorMs: number;
  projectId: string;
  email: string;
  password: string;
  encryptionKey: string;
  auditKey: string;
}

// A deterministic pseudo-random number in [0, 1) for (trace, span, salt).
function rand(t: number, i: number, salt: number): number {
  let x = (t * 2654435761 + i * 40503 + salt * 97) >>> 0;
  x ^= x >>> 16;
  x = Math.imul(x, 0x45d9f3b) >>> 0;
  x ^= x >>> 16;
  return (x >>> 0) / 2 ** 32;
}

function traceSpans(t: number, anchorMs: number) {
  const start = anchorMs - DAYS_MS + Math.floor((t / TRACES) * DAYS_MS) + Math.floor(rand(t, 0, 1) * 1000);
  const spans = [];
  let at = start + 5;
  const root = `t${t}-s0`;
  const tags = TAGS.filter((_, k) => rand(t, k, 2) < 0.3);
  const children = [];
  for (let i = 1; i < SPANS_PER_TRACE; i++) {
    const m = Math.floor(rand(t, i, 3) * MODELS.length);
    // Durations from ~150 ms to ~20 s, skewed short like real model calls.
    const duration = Math.round(150 * Math.exp(rand(t, i, 4) * 4.9));
    const failed = rand(t, i, 5) < 0.02;
    children.push({
      id: `t${t}-s${i}`,
      traceId: `t${t}`,
      parentId: root,
      kind: 'GENERATION',
      name: 'chat.completions',
      model: MODELS[m],
      provider: PROVIDERS[m],
      input: { messages: [{ role: 'user', content: `Question ${t}.${i}: where is my order?` }] },
      output: failed ? null : { role: 'assistant', content: `Answer ${t}.${i}: it ships tomorrow.` },
      promptTokens: 50 + Math.floor(rand(t, i, 6) * 2000),
      completionTokens: failed ? null : 10 + Math.floor(rand(t, i, 7) * 500),
      cacheReadTokens: rand(t, i, 8) < 0.3 ? 20 : null,
      startTime: new Date(at).toISOString(),
      endTime: new Date(at + duration).toISOString(),
      status: failed ? 'ERROR' : 'OK',
      ...(failed ? { statusMessage: 'rate limited' } : {}),
    });
    at += duration + 3;
  }
  spans.push({
    id: root,
    traceId: `t${t}`,
    parentId: null,
    kind: 'AGENT',
    name: ['checkout', 'search', 'summarize', 'support chat', 'report'][t % 5],
    startTime: new Date(start).toISOString(),
    endTime: new Date(at).toISOString(),
    trace: { userId: `user-${t % USERS}`, sessionId: `session-${t % SESSIONS}`, tags },
  });
  return [...spans, ...children];
}

async function seed(endpoint: string, secret: string, anchorMs: number): Promise<void> {
  const batches = Math.ceil(TRACES / BATCH_TRACES);
  let next = 0;
  let done = 0;
  const t0 = performance.now();
  const mutation = 'mutation($spans: [SpanInput!]!) { ingest(spans: $spans) { accepted rejected { index reason } } }';
  async function sender(): Promise<void> {
    for (let b = next++; b < batches; b = next++) {
      const spans = [];
      for (let t = b * BATCH_TRACES; t < Math.min(TRACES, (b + 1) * BATCH_TRACES); t++) spans.push(...traceSpans(t, anchorMs));
      const res = await fetch(endpoint, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${secret}` },
        body: JSON.stringify({ query: mutation, variables: { spans } }),
      });
      const body = (await res.json()) as { data?: { ingest: { rejected: unknown[] } }; errors?: unknown[] };
      if (!body.data || body.errors || body.data.ingest.rejected.length > 0) throw new Error(`ingest failed: ${JSON.stringify(body).slice(0, 300)}`);
      done++;
      if (done % Math.max(1, Math.floor(batches / 20)) === 0) {
        const s = (performance.now() - t0) / 1000;
        console.log(`  seeded ${fmt((done * BATCH_TRACES * SPANS_PER_TRACE))} spans in ${fmt(s)} s (${fmt((done * BATCH_TRACES * SPANS_PER_TRACE) / s)} spans/s)`);
      }
    }
  }
  await Promise.all(Array.from({ length: SENDERS }, sender));
}

/** Sign up, create a project and an ingest key, as a user does; the account is kept for --reuse. */
async function createProjectAndKey(endpoint: string, email: string, password: string): Promise<{ projectId: string; secret: string }> {
  const signUp = await graphql(endpoint, 'mutation($input: SignUpInput!) { signUp(input: $input) { user { id } } }', { input: { email, password, name: 'Bench' } });
  const project = await graphql<{ createProject: { id: string } }>(
    endpoint,
    'mutation($input: CreateProjectInput!) { createProject(input: $input) { id } }',
    { input: { name: 'read bench' } },
    signUp.cookie,
  );
  const projectId = project.data.createProject.id;
  const key = await graphql<{ createApiKey: { secret: string } }>(
    endpoint,
    'mutation($p: ID!) { createApiKey(projectId: $p, name: "read bench") { secret } }',
    { p: projectId },
    signUp.cookie,
  );
  return { projectId, secret: key.data.createApiKey.secret };
}

async function ensureDatabase(): Promise<string | undefined> {
  if (!flags.pg) return undefined;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  try {
    const exists = (await admin.query('select 1 from pg_database where datname = $1', [dbName])).rowCount! > 0;
    if (!flags.reuse) {
      if (exists) await admin.query(`drop database ${dbName} with (force)`);
      await admin.query(`create database ${dbName}`);
    } else if (!exists) {
      throw new Error(`--reuse: database ${dbName} does not exist; run once without --reuse`);
    }
  } finally {
    await admin.end();
  }
  return withDatabase(serverUrl!, dbName, 'tokentrace-bench-read');
}

async function timeRuns(fn: () => Promise<unknown>): Promise<number[]> {
  await fn(); // warm
  const ms: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t0 = performance.now();
    await fn();
    ms.push(performance.now() - t0);
  }
  return ms;
}

async function main(): Promise<void> {
  let state: SeedState | undefined;
  if (flags.reuse) {
    if (!existsSync(stateFile)) throw new Error(`--reuse: no state file ${stateFile}; run once without --reuse`);
    state = JSON.parse(readFileSync(stateFile, 'utf8')) as SeedState;
    if (state.spans !== SPANS) console.log(`(--reuse: the database holds ${fmt(state.spans)} spans; --spans is ignored)`);
  } else if (!flags.pg && existsSync(dataDir)) {
    const { rm } = await import('node:fs/promises');
    await rm(dataDir, { recursive: true, force: true });
  }
  const databaseUrl = await ensureDatabase();
  const encryptionKey = state?.encryptionKey ?? generateKey();
  const auditKey = state?.auditKey ?? generateKey();
  const config = loadConfig({
    NODE_ENV: 'production',
    TOKENTRACE_TLS_TERMINATED_BY_PROXY: 'true',
    LOG_LEVEL: 'silent',
    HOST: '127.0.0.1',
    PORT: '0',
    TOKENTRACE_ENCRYPTION_KEYS: `bench:${encryptionKey}`,
    TOKENTRACE_AUDIT_KEYS: `bench:${auditKey}`,
    ...(databaseUrl ? { DATABASE_URL: databaseUrl } : { TOKENTRACE_DATA_DIR: dataDir }),
  });
  // background: the usage compactor runs as in a server (maintenance waits 30 s and finds nothing to do).
  const app: App = await createApp(config, { background: true });
  const http = await listen(app);
  try {
    let cookie: string;
    if (!state) {
      const anchorMs = Math.floor(Date.now() / HOUR) * HOUR;
      const email = `bench-read-${randomBytes(4).toString('hex')}@example.com`;
      const password = `bench ${randomBytes(12).toString('hex')}`;
      const { projectId, secret } = await createProjectAndKey(http.endpoint, email, password);
      console.log(`seeding ${fmt(SPANS)} spans (${fmt(TRACES)} traces) through the API with ${SENDERS} senders…`);
      await seed(http.endpoint, secret, anchorMs);
      state = { spans: TRACES * SPANS_PER_TRACE, anchorMs, projectId, email, password, encryptionKey, auditKey };
      writeFileSync(stateFile, JSON.stringify(state), { mode: 0o600 });
    }
    const signIn = await graphql<{ signIn: { user: { id: string } } }>(
      http.endpoint,
      'mutation($input: SignInInput!) { signIn(input: $input) { user { id } } }',
      { input: { email: state.email, password: state.password } },
    );
    cookie = signIn.cookie!;
    const { projectId, anchorMs } = state;
    const folded = await compactUsageDeltas(app.deps.db);
    if (databaseUrl) await sql`analyze`.execute(app.deps.db);
    console.log(`compacted ${fmt(folded)} pending usage deltas before timing`);

    const gql = (query: string, variables: Record<string, unknown>) => graphql(http.endpoint, query, { p: projectId, ...variables }, cookie);
    const LIST = `query($p: ID!, $filter: TraceFilter, $after: String) { project(id: $p) { traces(first: 50, filter: $filter, after: $after) {
      edges { node { id name userId sessionId startTime durationMs totalTokens totalCostUsd spanCount errorCount tags models } }
      pageInfo { endCursor hasNextPage } } } }`;
    const from = new Date(anchorMs - DAYS_MS).toISOString();
    const to = new Date(anchorMs + HOUR).toISOString();
    const USAGE = `query($p: ID!, $from: DateTime!, $to: DateTime!, $filter: UsageFilter) { project(id: $p) {
      usage(from: $from, to: $to, bucket: HOUR, filter: $filter) {
        series { start spans tokens knownCostUsd unpricedSpans errors p50LatencyMs p95LatencyMs }
        byModel { model spans tokens knownCostUsd unpricedSpans } } } }`;

    const results: [string, number[]][] = [];
    const bench = async (label: string, fn: () => Promise<unknown>) => {
      const ms = await timeRuns(fn);
      results.push([label, ms]);
      console.log(`  ${label}: p50 ${fmt(percentile(ms, 50), 1)} ms, p95 ${fmt(percentile(ms, 95), 1)} ms`);
    };
    const filters: [string, Record<string, unknown>][] = [
      ['none', {}],
      ['userId', { userId: 'user-42' }],
      ['sessionId', { sessionId: 'session-7' }],
      ['model', { model: 'claude-3-5-sonnet' }],
      ['tags', { tags: ['checkout'] }],
      ['status ERROR', { status: 'ERROR' }],
      ['name', { name: 'summarize' }],
      ['nameContains', { nameContains: 'chat' }],
      ['minCostUsd', { minCostUsd: 0.01 }],
      ['from/to (1 day)', { from: new Date(anchorMs - 3 * 24 * HOUR).toISOString(), to: new Date(anchorMs - 2 * 24 * HOUR).toISOString() }],
    ];
    console.log(`timing ${RUNS} runs each (after one warm-up), load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
    for (const [label, filter] of filters) await bench(`trace list, filter ${label}`, () => gql(LIST, { filter }));

    let after: string | null = null;
    for (let page = 0; page < 20; page++) {
      const res = await gql(LIST, { filter: {}, after });
      after = (res.data as { project: { traces: { pageInfo: { endCursor: string } } } }).project.traces.pageInfo.endCursor;
    }
    await bench('trace list, page 21 by cursor', () => gql(LIST, { filter: {}, after }));

    const traceId = `t${Math.floor(TRACES / 2)}`;
    await bench('trace detail (spans with content)', () =>
      gql(`query($p: ID!, $id: ID!) { project(id: $p) { trace(id: $id) { id name totalTokens spans { id name model kind startTime endTime totalTokens costUsd status input output } } } }`, { id: traceId }),
    );

    await bench('usage, 7 days by hour', () => gql(USAGE, { from, to }));
    await bench('usage, 7 days by hour, filter model', () => gql(USAGE, { from, to, filter: { model: 'gpt-4o' } }));
    await bench('usage, 7 days by hour, filter userId (span scan)', () => gql(USAGE, { from, to, filter: { userId: 'user-42' } }));

    await bench('sessions (first 50)', () =>
      gql(`query($p: ID!) { project(id: $p) { sessions(first: 50) { edges { node { id traceCount totalTokens totalCostUsd errorCount lastStartTime userIds } } } } }`, {}),
    );
    await bench('end users (first 50)', () =>
      gql(`query($p: ID!) { project(id: $p) { endUsers(first: 50) { edges { node { id traceCount sessionCount totalTokens totalCostUsd errorCount lastStartTime } } } } }`, {}),
    );

    if (!flags['no-baseline']) {
      // What project.usage ran before the roll-ups: the same two queries over every span of the
      // range, called directly (no HTTP or GraphQL, which favours it by a few ms).
      const rawRuns = Math.min(RUNS, 10);
      const ms: number[] = [];
      const f = new Date(from);
      const tt = new Date(to);
      await Promise.all([selectUsageSeries(app.deps.db, projectId, f, tt, 'hour'), selectUsageByModel(app.deps.db, projectId, f, tt)]);
      for (let i = 0; i < rawRuns; i++) {
        const t0 = performance.now();
        await Promise.all([selectUsageSeries(app.deps.db, projectId, f, tt, 'hour'), selectUsageByModel(app.deps.db, projectId, f, tt)]);
        ms.push(performance.now() - t0);
      }
      results.push([`baseline: usage by raw span scan (${rawRuns} runs)`, ms]);
      console.log(`  baseline raw scan: p50 ${fmt(percentile(ms, 50), 1)} ms, p95 ${fmt(percentile(ms, 95), 1)} ms`);
    }

    const { rows } = await sql<{ n: string; spans: string; rollups: string }>`
      select (select count(*) from spans) as n,
             pg_total_relation_size('spans') as spans,
             pg_total_relation_size('usage_rollups') + pg_total_relation_size('usage_latency') + pg_total_relation_size('usage_deltas') as rollups`.execute(app.deps.db);
    const n = Number(rows[0]!.n);
    console.log(`\n${fmt(n)} spans on ${databaseUrl ? 'Postgres' : 'PGlite'}; ${RUNS} runs per read; load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
    console.log(table(['read', 'p50 ms', 'p95 ms'], results.map(([label, ms]) => [label, fmt(percentile(ms, 50), 1), fmt(percentile(ms, 95), 1)])));
    console.log(`\nbytes per span: ${fmt(Number(rows[0]!.spans) / n)} (spans table with its indexes and TOAST); usage roll-ups add ${fmt(Number(rows[0]!.rollups) / n, 1)}`);
    const usage = results.find(([l]) => l === 'usage, 7 days by hour')![1];
    const base = results.find(([l]) => l.startsWith('baseline'))?.[1];
    if (base) console.log(`usage p95 now / raw scan p95: ${(percentile(usage, 95) / percentile(base, 95)).toFixed(3)}`);
  } finally {
    await http.close();
    await app.close();
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.stack : err);
  process.exit(1);
});
