// What a batch costs as its trace grows: two traces grow side by side, batch by batch, through
// ingest() (the whole pipeline, no HTTP), to --spans spans each. One is rolled up by addition, as
// ingest does where it may (server/db/repositories/trace-append-roll-up.ts). The other's first
// batch carries a span whose parent never arrives, so that trace is read whole on every batch
// (trace-roll-up.ts), as every trace was before the roll-up by addition: the baseline, in the same
// run. Batches alternate between the two, one at a time; each figure is the mean milliseconds per
// batch over a window of batches ending at the trace size shown.
//
//   npm run bench:long-trace                      # embedded PGlite, temp dir
//   npm run bench:long-trace -- --db=postgres --spans=30000 --batch=100

import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { benchDatabase, positiveInt } from './lib/flags';
import { generateKey } from '../plugins/encryption/key-ring';
import { createApp } from '../server/app';
import { loadConfig } from '../server/config';
import { mapGraphqlSpan, type GraphqlSpanInput } from '../server/services/ingest/graphql/map-graphql-span';
import { ingest } from '../server/services/ingest/ingest';
import { makeBatch } from './lib/spans';
import { fmt, table } from './lib/stats';
import { createPgliteStorage, createPostgresStorage } from './lib/storage';

const { values: flags } = parseArgs({
  options: {
    db: { type: 'string' },
    spans: { type: 'string', default: '20000' },
    batch: { type: 'string', default: '100' },
    window: { type: 'string', default: '10' },
  },
  strict: true,
});

const { kind: dbKind, serverUrl } = benchDatabase(flags.db);
const totalSpans = positiveInt('spans', flags.spans);
const batchSize = positiveInt('batch', flags.batch);
const window = positiveInt('window', flags.window);
const runTag = `long${randomBytes(3).toString('hex')}`;
const batchCount = Math.ceil(totalSpans / batchSize);

const storage = dbKind === 'postgres' ? await createPostgresStorage(serverUrl!) : await createPgliteStorage();
const app = await createApp(
  loadConfig({ NODE_ENV: 'production', TOKENTRACE_TLS_TERMINATED_BY_PROXY: 'true', LOG_LEVEL: 'silent', TOKENTRACE_ENCRYPTION_KEYS: `bench:${generateKey()}`, TOKENTRACE_AUDIT_KEYS: `bench:${generateKey()}`, ...storage.env }),
);

try {
  const newProject = async (name: string) => (await app.deps.db.insertInto('projects').values({ name, settings: '{}' }).returning('id').executeTakeFirstOrThrow()).id;
  const ways = [
    { label: 'by addition', projectId: await newProject('long-added'), open: false, ms: [] as number[] },
    { label: 'read whole (baseline)', projectId: await newProject('long-full'), open: true, ms: [] as number[] },
  ];
  const rootId = `${runTag}-root`;
  // Batch g of a trace: its root first, then children of the root, each with usage as a model call.
  const batchOf = (g: number, open: boolean): GraphqlSpanInput[] => {
    const spans = makeBatch(runTag, g, batchSize, Date.now(), batchSize).map((s, i) => ({
      ...s,
      traceId: 'long',
      id: g === 0 && i === 0 ? rootId : s.id,
      parentId: g === 0 && i === 0 ? null : rootId,
    }));
    if (g === 0 && open) spans[1] = { ...spans[1]!, parentId: `${runTag}-never-sent` };
    return spans;
  };
  console.error(`long-trace on ${storage.kind}: two traces of ${batchCount * batchSize} spans, batches of ${batchSize}`);
  for (let g = 0; g < batchCount; g++) {
    for (const way of ways) {
      const items = batchOf(g, way.open);
      const principal = { kind: 'ingestKey' as const, apiKeyId: 'bench', projectId: way.projectId };
      const t0 = performance.now();
      const r = await ingest(app.deps, { door: 'graphql', principal, items, map: mapGraphqlSpan });
      way.ms.push(performance.now() - t0);
      if (r.rejected.length) throw new Error(JSON.stringify(r.rejected[0]));
    }
  }
  // Check both traces hold what was sent.
  for (const way of ways) {
    const row = await app.deps.db.selectFrom('traces').select(['span_count', 'open_parent_links']).where('project_id', '=', way.projectId).where('id', '=', 'long').executeTakeFirstOrThrow();
    if (row.span_count !== batchCount * batchSize) throw new Error(`${way.label}: ${row.span_count} spans rolled up, ${batchCount * batchSize} sent`);
    if (row.open_parent_links !== way.open) throw new Error(`${way.label}: the trace was not rolled up the way this bench measures`);
  }
  const checkpoints = [...new Set([window, Math.floor(batchCount / 4), Math.floor(batchCount / 2), batchCount].filter((n) => n >= window))];
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const rows = checkpoints.map((end) => {
    const [added, whole] = ways.map((w) => mean(w.ms.slice(end - window, end)));
    return [fmt(end * batchSize), fmt(added!, 1), fmt(whole!, 1), fmt(whole! / added!, 1)];
  });
  console.log(`long-trace on ${storage.kind}: ms per batch of ${batchSize} through ingest(), mean of the ${window} batches up to each size`);
  console.log(table(['trace spans', 'by addition', 'read whole (baseline)', 'speed-up'], rows));
} finally {
  await app.close();
  await storage.dispose();
}
