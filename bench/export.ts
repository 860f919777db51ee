// The streaming export (GET /api/projects/{id}/export) of a large project, to show that memory
// stays flat however many spans it holds, and what throughput it reaches. In one run:
//
//   1. seed     N spans (10 per trace, ~300 B of encrypted content each) written directly,
//               sealed with the project's data key as ingest would
//   2. baseline the same rows read from the database cursor alone (no decoding, no HTTP)
//   3. export   the whole project over real HTTP with a personal access token, the body read
//               and discarded as it arrives, while memory is sampled every 250 ms
//
// It prints the export's MB/s and rows/s, its ratio to the baseline, and RSS / heap per tenth of
// the export, with their peaks: flat memory means the last tenth looks like the first.
//
//   npm run bench:export                                             # embedded PGlite, 1,000,000 spans
//   BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/test npm run bench:export -- --db=postgres
//   npm run bench:export -- --spans=200000 --format=csv

import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { benchDatabase, positiveInt } from './lib/flags';
import { CompiledQuery } from 'kysely';
import { pino } from 'pino';
import { generateKey } from '../plugins/encryption/key-ring';
import { createApp } from '../server/app';
import { loadConfig } from '../server/config';
import { readExportRows } from '../server/db/repositories/span-export';
import { encodeContent } from '../server/storage/content';
import { codecForProject } from './lib/project-codec';
import { insertStatement } from './lib/raw-insert';
import { graphql, listen } from './lib/setup';
import { fmt, table } from './lib/stats';
import { createPgliteStorage, createPostgresStorage, type BenchStorage } from './lib/storage';
import { SPAN_COLUMNS } from '../server/db/repositories/spans';

const { values: flags } = parseArgs({
  options: {
    db: { type: 'string' },
    spans: { type: 'string', default: '1000000' },
    format: { type: 'string', default: 'jsonl' },
    help: { type: 'boolean', default: false },
  },
  strict: true,
});
if (flags.help) {
  console.log('usage: npm run bench:export -- [--db=pglite|postgres] [--spans=1000000] [--format=jsonl|csv]\n  Postgres server from BENCH_DATABASE_URL or DATABASE_URL.');
  process.exit(0);
}

const SPANS = positiveInt('spans', flags.spans);
const PER_TRACE = 10;
const SEED_BATCH = 500;
const MB = 1024 * 1024;
// Embedded PGlite unless --db=postgres: a 1M-span export is a long run to start by accident.
const { kind: dbKind, serverUrl } = benchDatabase(flags.db, 'pglite');
const usePostgres = dbKind === 'postgres';

const WORDS = 'the order shipped tuesday and the carrier expects delivery within two business days please confirm the address'.split(' ');
const sentence = (i: number, n: number) => Array.from({ length: n }, (_, k) => WORDS[(i * 7 + k * 3) % WORDS.length]).join(' ');

async function main(): Promise<void> {
  const storage: BenchStorage = usePostgres ? await createPostgresStorage(serverUrl!) : await createPgliteStorage();
  const config = loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', TOKENTRACE_ENCRYPTION_KEYS: `bench:${generateKey()}`, TOKENTRACE_CONFIG: '', ...storage.env });
  let app = await createApp(config, { logger: pino({ level: 'silent' }) });
  let http = await listen(app);
  const base = () => http.endpoint.replace(/\/graphql$/, '');
  try {
    console.log(`export bench on ${storage.kind} (${storage.label}): ${SPANS.toLocaleString('en')} spans, format ${flags.format}`);
    // A user, a project, a personal access token: what an integration holding a token has.
    const signUp = await graphql<{ signUp: { user: { id: string } } }>(http.endpoint, 'mutation($i: SignUpInput!) { signUp(input: $i) { user { id } } }', {
      i: { email: `bench-${randomBytes(4).toString('hex')}@example.com`, password: `bench ${randomBytes(8).toString('hex')}` },
    });
    const cookie = signUp.cookie!;
    const project = await graphql<{ createProject: { id: string } }>(http.endpoint, 'mutation { createProject(input: { name: "export bench" }) { id } }', {}, cookie);
    const projectId = project.data.createProject.id;
    const token = await graphql<{ createPersonalAccessToken: { secret: string } }>(http.endpoint, 'mutation { createPersonalAccessToken(name: "bench", readOnly: true) { secret } }', {}, cookie);
    const pat = token.data.createPersonalAccessToken.secret;

    // 1. seed
    const codec = await codecForProject(app, projectId);
    const db = app.deps.db;
    const t0 = Date.now() - SPANS * 1000;
    const seedStart = performance.now();
    for (let first = 0; first < SPANS; first += SEED_BATCH) {
      const count = Math.min(SEED_BATCH, SPANS - first);
      const params: unknown[] = [];
      const traces: Record<string, unknown>[] = [];
      for (let i = first; i < first + count; i++) {
        const traceNo = Math.floor(i / PER_TRACE);
        const traceId = `t-${traceNo}`;
        const id = `s-${i}`;
        const start = new Date(t0 + i * 1000);
        const ctx = { projectId, table: 'spans', rowId: id };
        const row: Record<string, unknown> = {
          project_id: projectId, id, trace_id: traceId, parent_id: i % PER_TRACE === 0 ? null : `s-${traceNo * PER_TRACE}`,
          kind: 'GENERATION', name: 'answer', model: 'gpt-4o-mini', provider: 'openai',
          input: encodeContent(codec, { messages: [{ role: 'user', content: sentence(i, 20) }] }, { ...ctx, column: 'input' }),
          output: encodeContent(codec, { role: 'assistant', content: sentence(i + 1, 20) }, { ...ctx, column: 'output' }),
          metadata: null, prompt_tokens: 40, completion_tokens: 30, total_tokens: 70, cost_usd: 0.00003,
          start_time: start, end_time: new Date(start.getTime() + 800), completion_start_time: null, status: 'OK', status_message: null, redactions: '[]',
        };
        params.push(...SPAN_COLUMNS.map((c) => row[c] ?? null));
        if (i % PER_TRACE === 0) {
          traces.push({ project_id: projectId, id: traceId, name: 'support chat', user_id: `user-${traceNo % 1000}`, session_id: null, tags: ['bench'], metadata: null,
            start_time: start, end_time: new Date(start.getTime() + PER_TRACE * 1000), span_count: PER_TRACE, error_count: 0, total_tokens: 700, total_cost_usd: 0.0003 });
        }
      }
      await db.executeQuery(CompiledQuery.raw(insertStatement(count), params));
      if (traces.length) await db.insertInto('traces').values(traces as never).execute();
      if ((first / SEED_BATCH) % 200 === 0 && first > 0) process.stderr.write(`  seeded ${first.toLocaleString('en')} spans\n`);
    }
    const seedSeconds = (performance.now() - seedStart) / 1000;
    console.log(`seeded ${SPANS.toLocaleString('en')} spans in ${fmt(seedSeconds, 1)} s`);
    // A fresh server on the seeded database: what the seeding itself held is not the export's.
    await http.close();
    await app.close();
    global.gc?.();
    app = await createApp(config, { logger: pino({ level: 'silent' }) });
    http = await listen(app);

    // 2. baseline: the cursor alone
    const db2 = app.deps.db;
    const baseStart = performance.now();
    let baseRows = 0;
    let baseBytes = 0;
    await readExportRows(db2, { projectId, filter: {}, withContent: true }, { dialect: app.deps.dbDialect, chunkRows: () => 1000 }, async (rows) => {
      baseRows += rows.length;
      for (const r of rows) baseBytes += (r.input?.length ?? 0) + (r.output?.length ?? 0);
    });
    const baseSeconds = (performance.now() - baseStart) / 1000;

    // 3. the export over HTTP, memory sampled
    global.gc?.();
    const samples: { at: number; bytes: number; rss: number; heap: number }[] = [];
    let bytes = 0;
    const exportStart = performance.now();
    const sample = () => {
      const m = process.memoryUsage();
      samples.push({ at: (performance.now() - exportStart) / 1000, bytes, rss: m.rss, heap: m.heapUsed });
    };
    sample();
    const timer = setInterval(sample, 250);
    const res = await fetch(`${base()}/api/projects/${projectId}/export?format=${flags.format}`, { headers: { authorization: `Bearer ${pat}` } });
    if (res.status !== 200) throw new Error(`export answered ${res.status}: ${await res.text()}`);
    let newlines = 0;
    const reader = res.body!.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      bytes += value.length;
      for (let i = value.indexOf(10); i !== -1; i = value.indexOf(10, i + 1)) newlines += 1;
    }
    clearInterval(timer);
    sample();
    const seconds = (performance.now() - exportStart) / 1000;
    const rows = flags.format === 'csv' ? newlines - 1 : newlines;
    if (rows !== SPANS || baseRows !== SPANS) throw new Error(`expected ${SPANS} rows, the export had ${rows} and the baseline ${baseRows}`);

    console.log('');
    console.log(table(
      ['', 'rows', 'seconds', 'rows/s', 'MB', 'MB/s'],
      [
        ['baseline: cursor only', String(baseRows), fmt(baseSeconds, 1), fmt(baseRows / baseSeconds, 0), fmt(baseBytes / MB, 0), fmt(baseBytes / MB / baseSeconds, 1)],
        [`export over HTTP (${flags.format})`, String(rows), fmt(seconds, 1), fmt(rows / seconds, 0), fmt(bytes / MB, 0), fmt(bytes / MB / seconds, 1)],
      ],
    ));
    console.log(`export / baseline rows/s: ${fmt(baseSeconds / seconds, 2)} (decrypting, formatting and sending each row, against reading it)`);

    // Memory per tenth of the export: the peak within each slice of bytes sent.
    const tenths = Array.from({ length: 10 }, (_, k) => {
      const inSlice = samples.filter((s) => s.bytes >= (k * bytes) / 10 && s.bytes <= ((k + 1) * bytes) / 10);
      const peak = (f: (s: (typeof samples)[number]) => number) => (inSlice.length ? Math.max(...inSlice.map(f)) : NaN);
      return [`${k * 10}–${(k + 1) * 10}%`, fmt(inSlice[0]?.at ?? NaN, 1), fmt(peak((s) => s.rss) / MB, 0), fmt(peak((s) => s.heap) / MB, 0)];
    });
    console.log('');
    console.log(table(['part of the export', 'from s', 'peak RSS MB', 'peak heap MB'], tenths));
    const first = samples[0]!;
    const peakRss = Math.max(...samples.map((s) => s.rss));
    const peakHeap = Math.max(...samples.map((s) => s.heap));
    const early = samples.filter((s) => s.bytes <= bytes / 10);
    const late = samples.filter((s) => s.bytes >= (9 * bytes) / 10);
    const max = (list: typeof samples, f: (s: (typeof samples)[number]) => number) => Math.max(...list.map(f));
    console.log('');
    console.log(`memory at the start: RSS ${fmt(first.rss / MB, 0)} MB, heap ${fmt(first.heap / MB, 0)} MB; peak during the export: RSS ${fmt(peakRss / MB, 0)} MB, heap ${fmt(peakHeap / MB, 0)} MB (${samples.length} samples)`);
    console.log(`last tenth vs first tenth, peak heap: ${fmt(max(late, (s) => s.heap) / max(early, (s) => s.heap), 2)}×; peak RSS: ${fmt(max(late, (s) => s.rss) / max(early, (s) => s.rss), 2)}× (flat memory reads ≈1×)`);
  } finally {
    await http.close();
    await app.close();
    await storage.dispose();
  }
}

main().catch((err: unknown) => {
  console.error(`bench:export failed: ${err instanceof Error ? err.stack : String(err)}`);
  process.exit(1);
});
