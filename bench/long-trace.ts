// What a batch costs as its trace grows: three traces grow side by side, batch by batch, through
// ingest() (the whole pipeline, no HTTP), to --spans spans each:
//
//   root first   the SDK's order: the root span in the first batch, its children after it
//   root last    an OpenTelemetry exporter's order: a span is sent when it ends, so every parent
//                comes after its children. Batch g holds the children of step g, step g comes in
//                batch g + 1, and the root in the last batch: the trace waits for parents (two at
//                a time) until the end, and each step arrives to children with usage
//   read whole   the baseline: each batch also re-sends a span of the previous one (a retry), so
//                the trace is read whole on every batch (trace-roll-up.ts), as every trace was
//                before the roll-up by addition
//
// The first two are rolled up by addition (server/db/repositories/trace-append-roll-up.ts).
// Batches alternate between the three, one at a time; each figure is the mean milliseconds per
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
  type Order = 'root first' | 'root last' | 'read whole';
  const ways = await Promise.all(
    (['root first', 'root last', 'read whole'] as Order[]).map(async (order) => ({
      order,
      projectId: await newProject(`long-${order.replace(' ', '-')}`),
      ms: [] as number[],
    })),
  );
  const rootId = `${runTag}-root`;
  const stepId = (g: number) => `${runTag}-step${g}`;
  // Batch g of a trace, every span with usage as a model call.
  const batchOf = (g: number, order: Order): GraphqlSpanInput[] => {
    const spans: GraphqlSpanInput[] = makeBatch(runTag, g, batchSize, Date.now(), batchSize).map((s) => ({ ...s, traceId: 'long', parentId: rootId as string | null }));
    if (order === 'root last') {
      // The children of step g, then step g - 1 (ended after its children), the root last of all.
      for (const s of spans) s.parentId = stepId(g);
      if (g > 0) spans[0] = { ...spans[0]!, id: stepId(g - 1), parentId: rootId };
      if (g === batchCount - 1) spans[1] = { ...spans[1]!, id: stepId(g), parentId: rootId };
      if (g === batchCount - 1) spans[2] = { ...spans[2]!, id: rootId, parentId: null };
      return spans;
    }
    if (g === 0) spans[0] = { ...spans[0]!, id: rootId, parentId: null };
    // A retry of the previous batch's last span.
    if (order === 'read whole' && g > 0) spans[batchSize - 1] = { ...batchOf(g - 1, order)[batchSize - 1]! };
    return spans;
  };
  const spansStored = (order: Order) => batchCount * batchSize - (order === 'read whole' ? batchCount - 1 : 0);
  const traceRow = async (projectId: string) => {
    const { span_count, pending_parents_unknown } = await app.deps.db
      .selectFrom('traces')
      .select(['span_count', 'pending_parents_unknown'])
      .where('project_id', '=', projectId)
      .where('id', '=', 'long')
      .executeTakeFirstOrThrow();
    const pending = await app.deps.db.selectFrom('trace_pending_parents').select('parents').where('project_id', '=', projectId).where('trace_id', '=', 'long').executeTakeFirst();
    // No row: the trace waits for no parent; null: not known.
    return { span_count, pending_parents: pending_parents_unknown ? null : (pending?.parents ?? {}) };
  };
  console.error(`long-trace on ${storage.kind}: three traces of ${batchCount * batchSize} spans, batches of ${batchSize}`);
  for (let g = 0; g < batchCount; g++) {
    for (const way of ways) {
      const items = batchOf(g, way.order);
      const principal = { kind: 'ingestKey' as const, apiKeyId: 'bench', projectId: way.projectId };
      const t0 = performance.now();
      const r = await ingest(app.deps, { door: 'graphql', principal, items, map: mapGraphqlSpan });
      way.ms.push(performance.now() - t0);
      if (r.rejected.length) throw new Error(JSON.stringify(r.rejected[0]));
    }
    // Half way, the exporter's trace still waits for its root and the step in flight, and knows it.
    if (g === Math.floor(batchCount / 2) && batchCount > 2) {
      const pending = (await traceRow(ways[1]!.projectId)).pending_parents;
      if (!pending || Object.keys(pending).sort().join() !== [rootId, stepId(g)].sort().join()) {
        throw new Error(`root last: the trace waits for ${JSON.stringify(pending)}, not for its root and step ${g}`);
      }
    }
  }
  // Every trace holds what was sent, and waits for nothing.
  for (const way of ways) {
    const row = await traceRow(way.projectId);
    if (row.span_count !== spansStored(way.order)) throw new Error(`${way.order}: ${row.span_count} spans rolled up, ${spansStored(way.order)} stored`);
    if (!row.pending_parents || Object.keys(row.pending_parents).length > 0) throw new Error(`${way.order}: still waits for ${JSON.stringify(row.pending_parents)}`);
  }
  const checkpoints = [...new Set([window, Math.floor(batchCount / 4), Math.floor(batchCount / 2), batchCount].filter((n) => n >= window))];
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const rows = checkpoints.map((end) => {
    const [first, last, whole] = ways.map((w) => mean(w.ms.slice(end - window, end)));
    return [fmt(end * batchSize), fmt(first!, 1), fmt(last!, 1), fmt(whole!, 1), fmt(whole! / Math.max(first!, last!), 1)];
  });
  console.log(`long-trace on ${storage.kind}: ms per batch of ${batchSize} through ingest(), mean of the ${window} batches up to each size`);
  console.log(table(['trace spans', 'root first', 'root last (OTel)', 'read whole (baseline)', 'speed-up (slower of the two)'], rows));
} finally {
  await app.close();
  await storage.dispose();
}
