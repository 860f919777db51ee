import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, INGEST, span, type TestApp, type TestClient } from '../testing/test-app';

// Unknown is not zero (issue 16): a streamed generation without usage and a model without a
// price are reported as unknown by spans, traces and the usage series, never as 0 / $0.

describe('unknown usage and cost', () => {
  let t: TestApp;
  let owner: TestClient;
  let projectId: string;

  beforeAll(async () => {
    t = await createTestApp();
    const p = await t.projectWithKey();
    owner = p.owner;
    projectId = p.projectId;
    const res = await p.ingest.gql(INGEST, {
      spans: [
        // trace t1, 10:00 hour: a priced call, and a stream that reported no usage
        span({ id: 'k1', traceId: 't1', startTime: '2026-11-03T10:01:00.000Z', endTime: '2026-11-03T10:01:01.000Z' }),
        span({ id: 'k2', traceId: 't1', name: 'openai.chat.completions', promptTokens: null, completionTokens: null, startTime: '2026-11-03T10:02:00.000Z', endTime: '2026-11-03T10:02:02.000Z', completionStartTime: '2026-11-03T10:02:00.400Z' }),
        // trace t2, 12:00 hour: only a model nobody prices
        span({ id: 'k3', traceId: 't2', model: 'acme-llm-9000', startTime: '2026-11-03T12:00:00.000Z', endTime: '2026-11-03T12:00:01.000Z' }),
        // trace t3: a generation still running, and a tool span
        span({ id: 'k4', traceId: 't3', promptTokens: null, completionTokens: null, startTime: '2026-11-03T13:00:00.000Z', endTime: null }),
        span({ id: 'k5', traceId: 't3', kind: 'TOOL', name: 'lookup', model: null, promptTokens: null, completionTokens: null, startTime: '2026-11-03T13:00:00.100Z', endTime: '2026-11-03T13:00:00.200Z' }),
      ],
    });
    expect(res.data.ingest.rejected).toEqual([]);
  });
  afterAll(() => t.close());

  it('says per span whether usage was reported', async () => {
    const res = await owner.gql(`query($p: ID!) { project(id: $p) { a: trace(id: "t1") { spans { id usageStatus costUsd totalTokens timeToFirstTokenMs } } b: trace(id: "t3") { spans { id usageStatus } } } }`, { p: projectId });
    expect(res.errors).toBeUndefined();
    const spans = [...res.data.project.a.spans, ...res.data.project.b.spans];
    const status = Object.fromEntries(spans.map((s: { id: string; usageStatus: string }) => [s.id, s.usageStatus]));
    expect(status).toEqual({ k1: 'REPORTED', k2: 'NOT_REPORTED', k4: 'PENDING', k5: 'NOT_APPLICABLE' });
    const k2 = res.data.project.a.spans.find((s: { id: string }) => s.id === 'k2');
    expect(k2).toMatchObject({ costUsd: null, totalTokens: null, timeToFirstTokenMs: 400 });
  });

  it('counts a trace’s unpriced spans and generations without usage, for a whole page in one query', async () => {
    t.queries.length = 0;
    const res = await owner.gql(`query($p: ID!) { project(id: $p) { traces(first: 10) { edges { node { id totalCostUsd unpricedSpans generationsWithoutUsage } } } } }`, { p: projectId });
    expect(res.errors).toBeUndefined();
    const byId = Object.fromEntries(res.data.project.traces.edges.map((e: { node: { id: string } }) => [e.node.id, e.node]));
    expect(byId.t1).toMatchObject({ unpricedSpans: 1, generationsWithoutUsage: 1 });
    expect(byId.t1.totalCostUsd).toBeGreaterThan(0);
    expect(byId.t2).toMatchObject({ unpricedSpans: 1, generationsWithoutUsage: 0, totalCostUsd: null });
    expect(byId.t3).toMatchObject({ unpricedSpans: 1, generationsWithoutUsage: 0 });
    expect(t.queries.filter((q) => /count\(\*\) filter/.test(q))).toHaveLength(1);
  });

  it('keeps unknown cost unknown in the usage series and by model', async () => {
    const res = await owner.gql(
      `query($p: ID!) { project(id: $p) { usage(from: "2026-11-03T09:00:00Z", to: "2026-11-03T14:00:00Z", bucket: HOUR) {
        series { start costUsd knownCostUsd unpricedSpans } byModel { model costUsd knownCostUsd unpricedSpans } } } }`,
      { p: projectId },
    );
    expect(res.errors).toBeUndefined();
    const [h9, h10, h11, h12, h13] = res.data.project.usage.series;
    expect(h9).toMatchObject({ knownCostUsd: 0, unpricedSpans: 0 });
    expect(h10.knownCostUsd).toBeGreaterThan(0);
    expect(h10.unpricedSpans).toBe(1);
    expect(h11).toMatchObject({ knownCostUsd: 0, unpricedSpans: 0 });
    // Only an unpriced model in that hour: unknown, where costUsd says 0.
    expect(h12).toMatchObject({ costUsd: 0, knownCostUsd: null, unpricedSpans: 1 });
    expect(h13).toMatchObject({ knownCostUsd: null, unpricedSpans: 1 });
    const acme = res.data.project.usage.byModel.find((m: { model: string }) => m.model === 'acme-llm-9000');
    expect(acme).toMatchObject({ costUsd: 0, knownCostUsd: null, unpricedSpans: 1 });
    const mini = res.data.project.usage.byModel.find((m: { model: string }) => m.model === 'gpt-4o-mini');
    expect(mini.unpricedSpans).toBe(2);
    expect(mini.knownCostUsd).toBeGreaterThan(0);
  });
});
