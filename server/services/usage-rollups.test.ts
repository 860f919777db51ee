import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selectUsageByModel, selectUsageSeries, type ModelUsageRow, type UsageBucketRow } from '../db/repositories/usage';
import { compactUsageDeltas, LATENCY_BUCKET_RATIO } from '../db/repositories/usage-rollups';
import { JIT_OFF_FOR_TRANSACTION } from '../db/repositories/without-jit';
import { createTestApp, INGEST, span, type TestApp, type TestClient } from '../testing/test-app';

// project.usage reads hourly roll-ups kept by triggers on spans. Whatever happened to the spans —
// new ones, re-sent copies that complete earlier ones, usage reported on a parent and its child,
// unpriced models, deletes by erasure and retention, concurrent batches — its answer must equal
// the scan of the spans that project.usage ran before, with deltas pending, folded, or both.

const USAGE = `query($p: ID!, $from: DateTime!, $to: DateTime!, $bucket: UsageBucket!, $filter: UsageFilter) {
  project(id: $p) { usage(from: $from, to: $to, bucket: $bucket, filter: $filter) {
    series { start spans tokens promptTokens completionTokens cacheReadTokens cacheWriteTokens reasoningTokens costUsd knownCostUsd unpricedSpans errors p50LatencyMs p95LatencyMs }
    byModel { model spans tokens promptTokens completionTokens cacheReadTokens cacheWriteTokens reasoningTokens costUsd knownCostUsd unpricedSpans }
  } }
}`;

const BASE = Date.parse('2026-11-10T00:00:00.000Z');
const HOUR = 3_600_000;
const FROM = new Date(BASE).toISOString();
const TO = new Date(BASE + 30 * HOUR).toISOString();
const MODELS = ['gpt-4o-mini', 'gpt-4o', 'claude-3-5-haiku', 'acme-llm-9000', null];

// A small deterministic generator, so a failure can be replayed.
function rng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s ^ (s >>> 15), 0x2c1b3c6d) + 0x9e3779b9) >>> 0;
    return s / 2 ** 32;
  };
}

type Point = Record<string, number | string | null>;

function expectSameUsage(label: string, rolled: { series: Point[]; byModel: Point[] }, raw: { series: (UsageBucketRow | undefined)[]; byModel: ModelUsageRow[] }) {
  expect(rolled.series.length, label).toBe(raw.series.length);
  rolled.series.forEach((p, i) => {
    const r = raw.series[i];
    const at = `${label} @ ${p.start}`;
    if (!r) {
      expect(p.spans, at).toBe(0);
      return;
    }
    for (const key of ['spans', 'tokens', 'promptTokens', 'completionTokens', 'cacheReadTokens', 'cacheWriteTokens', 'reasoningTokens', 'unpricedSpans', 'errors'] as const) {
      expect(p[key], `${at} ${key}`).toBe(r[key]);
    }
    expect(p.costUsd as number, `${at} costUsd`).toBeCloseTo(r.costUsd, 12);
    if (r.knownCostUsd === null) expect(p.knownCostUsd, `${at} knownCostUsd`).toBeNull();
    else expect(p.knownCostUsd as number, `${at} knownCostUsd`).toBeCloseTo(r.knownCostUsd, 12);
    for (const key of ['p50LatencyMs', 'p95LatencyMs'] as const) {
      if (r[key] === null) expect(p[key], `${at} ${key}`).toBeNull();
      // The histogram's bound: within LATENCY_BUCKET_RATIO − 1 (2%) of the exact percentile.
      else expect(Math.abs((p[key] as number) - r[key]!), `${at} ${key}: ${p[key]} vs ${r[key]}`).toBeLessThanOrEqual(Math.abs(r[key]!) * (LATENCY_BUCKET_RATIO - 1) + 1e-9);
    }
  });
  expect(rolled.byModel.map((m) => m.model).sort(), `${label} byModel`).toEqual(raw.byModel.map((m) => m.model).sort());
  for (const m of rolled.byModel) {
    const r = raw.byModel.find((x) => x.model === m.model)!;
    for (const key of ['spans', 'tokens', 'promptTokens', 'completionTokens', 'cacheReadTokens', 'cacheWriteTokens', 'reasoningTokens', 'unpricedSpans'] as const) {
      expect(m[key], `${label} ${m.model} ${key}`).toBe(r[key]);
    }
    expect(m.costUsd as number).toBeCloseTo(r.costUsd, 12);
    if (r.knownCostUsd === null) expect(m.knownCostUsd).toBeNull();
    else expect(m.knownCostUsd as number).toBeCloseTo(r.knownCostUsd, 12);
  }
}

describe('usage roll-ups equal the scan of the spans', () => {
  let t: TestApp;
  let owner: TestClient;
  let ingest: TestClient;
  let projectId: string;
  const random = rng(15);

  /** Compares project.usage with the raw scan, by hour and by day, unfiltered and per model. */
  async function compare(label: string): Promise<void> {
    const { db } = t.app.deps;
    for (const bucket of ['HOUR', 'DAY'] as const) {
      for (const model of [null, 'gpt-4o-mini', 'acme-llm-9000']) {
        const res = await owner.gql(USAGE, { p: projectId, from: FROM, to: TO, bucket, filter: model ? { model } : null });
        expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
        const unit = bucket === 'HOUR' ? 'hour' : 'day';
        const rawRows = await selectUsageSeries(db, projectId, new Date(FROM), new Date(TO), unit, { model });
        const byStart = new Map(rawRows.map((r) => [r.start.toISOString(), r]));
        const rolled = res.data.project.usage;
        const raw = {
          series: rolled.series.map((p: Point) => byStart.get(p.start as string)),
          byModel: await selectUsageByModel(db, projectId, new Date(FROM), new Date(TO), { model }),
        };
        expectSameUsage(`${label}, ${bucket}, model ${model ?? 'any'}`, rolled, raw);
      }
    }
  }

  function randomSpan(traceNo: number, spanNo: number, parentId: string | null): Record<string, unknown> {
    const start = BASE + Math.floor(random() * 28 * HOUR);
    const model = MODELS[Math.floor(random() * MODELS.length)];
    const ended = random() < 0.85;
    const withTokens = random() < 0.8;
    return span({
      id: `r${traceNo}-${spanNo}`,
      traceId: `rt${traceNo}`,
      parentId,
      kind: model ? 'GENERATION' : 'SPAN',
      model,
      provider: model ? 'openai' : null,
      promptTokens: withTokens ? Math.floor(random() * 5000) : null,
      completionTokens: withTokens ? Math.floor(random() * 800) : null,
      cacheReadTokens: withTokens && random() < 0.3 ? 100 : null,
      reasoningTokens: withTokens && random() < 0.2 ? 40 : null,
      startTime: new Date(start).toISOString(),
      endTime: ended ? new Date(start + Math.floor(random() * 20_000)).toISOString() : null,
      status: random() < 0.1 ? 'ERROR' : 'OK',
      trace: { userId: `user-${traceNo % 4}`, tags: traceNo % 2 === 0 ? ['even'] : ['odd'] },
    });
  }

  async function send(spans: Record<string, unknown>[]): Promise<void> {
    const res = await ingest.gql(INGEST, { spans });
    expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
    expect(res.data.ingest.rejected).toEqual([]);
  }

  beforeAll(async () => {
    t = await createTestApp();
    const p = await t.projectWithKey();
    owner = p.owner;
    ingest = p.ingest;
    projectId = p.projectId;
  });
  afterAll(() => t.close());

  it('after random batches with parents and children reporting the same usage, pending and folded', async () => {
    for (let batch = 0; batch < 4; batch++) {
      const spans = [];
      for (let tr = batch * 6; tr < batch * 6 + 6; tr++) {
        const root = randomSpan(tr, 0, null);
        spans.push(root);
        for (let s = 1; s < 4; s++) spans.push(randomSpan(tr, s, s === 1 ? (root.id as string) : `r${tr}-1`));
      }
      await send(spans);
      if (batch === 1) {
        await compare('pending and folded');
        expect(await compactUsageDeltas(t.app.deps.db)).toBeGreaterThan(0);
      }
    }
    await compare('some folded, some pending');
    await compactUsageDeltas(t.app.deps.db);
    await compare('all folded');
  });

  it('after re-sent copies complete, move and re-price earlier spans', async () => {
    // First copies: running, no tokens; then copies that end them, add tokens, fail some, and
    // one that names a model the first copy lacked (so ingest re-prices it from the merged row).
    const first = [0, 1, 2, 3].map((i) =>
      span({ id: `c${i}`, traceId: 'ct', model: i === 3 ? null : 'gpt-4o', promptTokens: null, completionTokens: null, startTime: new Date(BASE + (2 + i) * HOUR).toISOString(), endTime: null }),
    );
    await send(first);
    await compactUsageDeltas(t.app.deps.db);
    await send(
      [0, 1, 2, 3].map((i) =>
        span({
          id: `c${i}`,
          traceId: 'ct',
          model: i === 3 ? 'claude-3-5-haiku' : null,
          promptTokens: 1000 * (i + 1),
          completionTokens: 100,
          startTime: new Date(BASE + (2 + i) * HOUR).toISOString(),
          endTime: new Date(BASE + (2 + i) * HOUR + 1500 * (i + 1)).toISOString(),
          status: i === 1 ? 'ERROR' : 'OK',
        }),
      ),
    );
    await compare('re-sent, pending');
    await compactUsageDeltas(t.app.deps.db);
    await compare('re-sent, folded');
  });

  it('after concurrent batches that send copies of the same spans', async () => {
    const batches = [0, 1, 2, 3].map((b) => {
      const spans = [];
      for (let tr = 100; tr < 104; tr++) {
        const s = randomSpan(tr, b % 2, null);
        spans.push(s);
      }
      return spans;
    });
    await Promise.all([...batches.map(send), compactUsageDeltas(t.app.deps.db)]);
    await compare('concurrent');
  });

  // The fold is planned from the backlog's size; past jit_above_cost Postgres compiled it with LLVM
  // on every run (without-jit.ts). The statement that takes its lock turns JIT off first.
  it('folds without JIT: the first statement of its transaction turns it off', async () => {
    await send([randomSpan(200, 0, null)]);
    t.queries.length = 0;
    expect(await compactUsageDeltas(t.app.deps.db)).toBeGreaterThan(0);
    const begin = t.queries.findIndex((q) => /^begin/i.test(q.trim()));
    const first = t.queries.slice(begin + 1).find((q) => !/^(savepoint|set )/i.test(q.trim()));
    expect(first).toMatch(/pg_try_advisory_xact_lock/);
    expect(first).toContain(JIT_OFF_FOR_TRANSACTION);
  });

  it('after an end user is erased and retention deletes old traces', async () => {
    const erased = await owner.gql('mutation($p: ID!, $u: String!) { eraseEndUser(projectId: $p, userId: $u) { traces spans } }', { p: projectId, u: 'user-1' });
    expect(erased.errors, JSON.stringify(erased.errors)).toBeUndefined();
    expect(erased.data.eraseEndUser.spans).toBeGreaterThan(0);
    await compare('after erasure, pending');
    await compactUsageDeltas(t.app.deps.db);
    await compare('after erasure, folded');

    // Retention: the whole range is older than a day, so every trace goes.
    const set = await owner.gql('mutation($p: ID!, $input: ProjectSettingsInput!) { updateProjectSettings(projectId: $p, input: $input) { id } }', {
      p: projectId,
      input: { retention: { traceDays: 1 } },
    });
    expect(set.errors, JSON.stringify(set.errors)).toBeUndefined();
    const report = await t.app.maintenance.runOnce({ projectIds: [projectId] });
    expect(report.retention[0]!.tracesDeleted).toBeGreaterThan(0);
    await compare('after retention');
    const res = await owner.gql(USAGE, { p: projectId, from: FROM, to: TO, bucket: 'DAY' });
    expect(res.data.project.usage.series.map((p: Point) => p.spans)).toEqual([0, 0]);
    await compactUsageDeltas(t.app.deps.db);
    const { rows } = await sql<{ n: string }>`select (select count(*) from usage_rollups where project_id = ${projectId})
      + (select count(*) from usage_latency where project_id = ${projectId})
      + (select count(*) from usage_latency_all where project_id = ${projectId}) as n`.execute(t.app.deps.db);
    expect(Number(rows[0]!.n)).toBe(0);
  });
});

describe('usage filters', () => {
  let t: TestApp;
  let owner: TestClient;
  let projectId: string;

  beforeAll(async () => {
    t = await createTestApp();
    const p = await t.projectWithKey();
    owner = p.owner;
    projectId = p.projectId;
    const at = (h: number, ms: number) => ({ startTime: new Date(BASE + h * HOUR).toISOString(), endTime: new Date(BASE + h * HOUR + ms).toISOString() });
    const res = await p.ingest.gql(INGEST, {
      spans: [
        span({ id: 'f1', traceId: 'fa', ...at(1, 1000), trace: { userId: 'ann', tags: ['prod', 'eu'] } }),
        span({ id: 'f2', traceId: 'fa', model: 'gpt-4o', ...at(1, 3000) }),
        span({ id: 'f3', traceId: 'fb', ...at(2, 2000), trace: { userId: 'bob', tags: ['prod'] } }),
      ],
    });
    expect(res.data.ingest.rejected).toEqual([]);
  });
  afterAll(() => t.close());

  const usage = async (filter: Record<string, unknown> | null) => {
    const res = await owner.gql(USAGE, { p: projectId, from: new Date(BASE).toISOString(), to: new Date(BASE + 3 * HOUR).toISOString(), bucket: 'HOUR', filter });
    expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
    return res.data.project.usage as { series: Point[]; byModel: Point[] };
  };

  it('narrows by model, by end user and by tags', async () => {
    expect((await usage(null)).series.map((p) => p.spans)).toEqual([0, 2, 1]);
    expect((await usage({ model: 'gpt-4o' })).series.map((p) => p.spans)).toEqual([0, 1, 0]);
    const ann = await usage({ userId: 'ann' });
    expect(ann.series.map((p) => p.spans)).toEqual([0, 2, 0]);
    expect(ann.series[1]).toMatchObject({ p50LatencyMs: 2000, tokens: 30 });
    expect(ann.byModel.map((m) => m.model).sort()).toEqual(['gpt-4o', 'gpt-4o-mini']);
    expect((await usage({ tags: ['prod'] })).series.map((p) => p.spans)).toEqual([0, 2, 1]);
    expect((await usage({ tags: ['prod', 'eu'], model: 'gpt-4o-mini' })).series.map((p) => p.spans)).toEqual([0, 1, 0]);
    expect((await usage({ userId: 'nobody' })).series.map((p) => p.spans)).toEqual([0, 0, 0]);
  });

  it('counts whole hours: a range inside an hour answers for the hour', async () => {
    const res = await owner.gql(USAGE, { p: projectId, from: new Date(BASE + 1.5 * HOUR).toISOString(), to: new Date(BASE + 1.75 * HOUR).toISOString(), bucket: 'HOUR' });
    expect(res.errors).toBeUndefined();
    expect(res.data.project.usage.series).toHaveLength(1);
    expect(res.data.project.usage.series[0]).toMatchObject({ start: new Date(BASE + HOUR).toISOString(), spans: 2 });
  });

  it('refuses more than 10 tags with a clear code', async () => {
    const res = await owner.gql(USAGE, { p: projectId, from: FROM, to: TO, bucket: 'HOUR', filter: { tags: Array.from({ length: 11 }, (_, i) => `t${i}`) } });
    expect(res.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });
});
