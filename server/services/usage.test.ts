import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, INGEST, span, type TestApp } from '../testing/test-app';
import { bucketStarts, MAX_USAGE_BUCKETS } from './usage';

// project.usage: the chart series, computed in SQL and filled to one point per bucket, and the
// per-model breakdown; plus Trace.models for the trace list.

const USAGE = `query($p: ID!, $from: DateTime!, $to: DateTime!, $bucket: UsageBucket!) {
  project(id: $p) {
    usage(from: $from, to: $to, bucket: $bucket) {
      series { start spans tokens costUsd errors p50LatencyMs p95LatencyMs }
      byModel { model spans tokens costUsd }
    }
  }
}`;

describe('project.usage', () => {
  let t: TestApp;
  let projectId: string;
  let owner: Awaited<ReturnType<TestApp['projectWithKey']>>['owner'];

  beforeAll(async () => {
    t = await createTestApp();
    const p = await t.projectWithKey();
    projectId = p.projectId;
    owner = p.owner;
    const spans = [
      // 10:00 hour: two generations (1 s and 3 s), one of them failed
      span({ id: 'u1', traceId: 'ta', startTime: '2026-11-01T10:05:00.000Z', endTime: '2026-11-01T10:05:01.000Z' }),
      span({ id: 'u2', traceId: 'ta', startTime: '2026-11-01T10:10:00.000Z', endTime: '2026-11-01T10:10:03.000Z', status: 'ERROR', statusMessage: 'boom' }),
      // 12:00 hour: another model, and a span without a model or an end
      span({ id: 'u3', traceId: 'tb', model: 'claude-3-5-haiku', provider: 'anthropic', startTime: '2026-11-01T12:30:00.000Z', endTime: '2026-11-01T12:30:02.000Z' }),
      span({ id: 'u4', traceId: 'tb', kind: 'SPAN', model: null, provider: null, promptTokens: null, completionTokens: null, startTime: '2026-11-01T12:31:00.000Z', endTime: null }),
      // outside the range
      span({ id: 'u5', traceId: 'tc', startTime: '2026-11-02T10:00:00.000Z', endTime: '2026-11-02T10:00:00.500Z' }),
    ];
    const res = await p.ingest.gql(INGEST, { spans });
    expect(res.errors).toBeUndefined();
    expect(res.data.ingest.rejected).toEqual([]);
  });
  afterAll(() => t.close());

  it('returns one point per hour, with counts, tokens, errors and latency percentiles', async () => {
    const res = await owner.gql(USAGE, { p: projectId, from: '2026-11-01T09:00:00Z', to: '2026-11-01T14:00:00Z', bucket: 'HOUR' });
    expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
    const series = res.data.project.usage.series as Record<string, unknown>[];
    expect(series.map((p) => p.start)).toEqual([
      '2026-11-01T09:00:00.000Z',
      '2026-11-01T10:00:00.000Z',
      '2026-11-01T11:00:00.000Z',
      '2026-11-01T12:00:00.000Z',
      '2026-11-01T13:00:00.000Z',
    ]);
    expect(series[0]).toMatchObject({ spans: 0, tokens: 0, costUsd: 0, errors: 0, p50LatencyMs: null, p95LatencyMs: null });
    expect(series[1]).toMatchObject({ spans: 2, tokens: 30, errors: 1, p50LatencyMs: 2000 });
    expect(series[1]!.p95LatencyMs as number).toBeCloseTo(2900, 5);
    expect(series[1]!.costUsd as number).toBeGreaterThan(0);
    expect(series[3]).toMatchObject({ spans: 2, tokens: 15, errors: 0, p50LatencyMs: 2000 });
  });

  it('cuts days in UTC and breaks usage down by model, most expensive first', async () => {
    const res = await owner.gql(USAGE, { p: projectId, from: '2026-11-01T00:00:00Z', to: '2026-11-03T00:00:00Z', bucket: 'DAY' });
    expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
    const usage = res.data.project.usage;
    expect(usage.series.map((p: { spans: number }) => p.spans)).toEqual([4, 1]);
    const models = usage.byModel as { model: string; spans: number; tokens: number; costUsd: number }[];
    expect(models.map((m) => m.model).sort()).toEqual(['claude-3-5-haiku', 'gpt-4o-mini']);
    expect(models.find((m) => m.model === 'gpt-4o-mini')).toMatchObject({ spans: 3, tokens: 45 });
    for (let i = 1; i < models.length; i++) expect(models[i - 1]!.costUsd).toBeGreaterThanOrEqual(models[i]!.costUsd);
  });

  it('refuses a range of more than the allowed number of buckets, and an empty range', async () => {
    const tooLong = await owner.gql(USAGE, { p: projectId, from: '2026-01-01T00:00:00Z', to: '2026-03-01T00:00:00Z', bucket: 'HOUR' });
    expect(tooLong.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(tooLong.errors?.[0]?.message).toContain(String(MAX_USAGE_BUCKETS));
    const backwards = await owner.gql(USAGE, { p: projectId, from: '2026-11-02T00:00:00Z', to: '2026-11-01T00:00:00Z', bucket: 'DAY' });
    expect(backwards.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('is for members only', async () => {
    const stranger = await t.signUp('Stranger');
    const res = await stranger.client.gql(USAGE, { p: projectId, from: '2026-11-01T00:00:00Z', to: '2026-11-02T00:00:00Z', bucket: 'DAY' });
    expect(res.data?.project ?? null).toBeNull();
    const anon = await t.anonymous().gql(USAGE, { p: projectId, from: '2026-11-01T00:00:00Z', to: '2026-11-02T00:00:00Z', bucket: 'DAY' });
    expect(anon.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });

  it('lists the models of each trace in one query for a whole page', async () => {
    t.queries.length = 0;
    const res = await owner.gql('query($p: ID!) { project(id: $p) { traces { edges { node { id models } } } } }', { p: projectId });
    expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
    const byId = Object.fromEntries(res.data.project.traces.edges.map((e: { node: { id: string; models: string[] } }) => [e.node.id, e.node.models]));
    expect(byId).toEqual({ ta: ['gpt-4o-mini'], tb: ['claude-3-5-haiku'], tc: ['gpt-4o-mini'] });
    expect(t.queries.filter((q) => /select distinct .*"model".* from "spans"/i.test(q))).toHaveLength(1);
  });
});

describe('bucketStarts', () => {
  it('starts at the bucket holding `from` and stops before `to`', () => {
    const starts = bucketStarts(new Date('2026-11-01T10:30:00Z'), new Date('2026-11-01T12:00:00Z'), 'HOUR');
    expect(starts.map((d) => d.toISOString())).toEqual(['2026-11-01T10:00:00.000Z', '2026-11-01T11:00:00.000Z']);
  });
});
