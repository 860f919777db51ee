import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newSpanId, newTraceId, otlpRequest, otlpSpan, startOtlpServer, type OtlpServer } from '../testing/otlp';
import { createTestApp, INGEST, span, type TestApp, type TestClient } from '../testing/test-app';

// Ingest prices each span with its project's prices over the built-in table, cached input at the
// cached rate, and stores which price applied (issue 16, "Tokens and prices"), through both doors.

const SET = `mutation($p: ID!, $i: ModelPriceInput!) { setModelPrice(projectId: $p, input: $i) { id } }`;
const SPANS = `query($p: ID!, $t: ID!) { project(id: $p) { trace(id: $t) { totalCostUsd spans { id costUsd cacheReadTokens
  price { recordedAtIngest price { id source model } } } } } }`;

// gpt-4o-mini: $0.15 per million input, $0.075 cached, $0.60 output (built-in table).
const CACHED_COST = (176 * 0.15 + 1_024 * 0.075 + 50 * 0.6) / 1e6;
const FULL_COST = (1_200 * 0.15 + 50 * 0.6) / 1e6;

describe('pricing at ingest', () => {
  let t: TestApp;
  let owner: TestClient;
  let ingest: TestClient;
  let projectId: string;
  let secret: string;
  let otlp: OtlpServer;

  const spansOf = async (traceId: string) => {
    const res = await owner.gql(SPANS, { p: projectId, t: traceId });
    expect(res.errors).toBeUndefined();
    return res.data.project.trace as { totalCostUsd: number | null; spans: { id: string; costUsd: number | null; cacheReadTokens: number | null; price: any }[] };
  };
  const storedRef = async (id: string) =>
    (await t.app.deps.db.selectFrom('spans').select(['price_ref', 'cost_usd']).where('project_id', '=', projectId).where('id', '=', id).executeTakeFirstOrThrow()).price_ref;

  beforeAll(async () => {
    t = await createTestApp();
    ({ owner, ingest, projectId, secret } = await t.projectWithKey());
    otlp = await startOtlpServer(t);
  });
  afterAll(async () => {
    await otlp.close();
    await t.close();
  });

  it('bills 1,024 cached of 1,200 prompt tokens at the cached rate through GraphQL, and stores the price that applied', async () => {
    const res = await ingest.gql(INGEST, {
      spans: [
        span({ id: 'cached', traceId: 'gql-cache', model: 'gpt-4o-mini', promptTokens: 1_200, cacheReadTokens: 1_024, completionTokens: 50 }),
        span({ id: 'uncached', traceId: 'gql-cache', model: 'gpt-4o-mini', promptTokens: 1_200, completionTokens: 50 }),
      ],
    });
    expect(res.data.ingest).toEqual({ accepted: 2, rejected: [] });
    const trace = await spansOf('gql-cache');
    const byId = Object.fromEntries(trace.spans.map((s) => [s.id, s]));
    expect(byId.cached!.costUsd).toBeCloseTo(CACHED_COST, 12);
    expect(byId.uncached!.costUsd).toBeCloseTo(FULL_COST, 12);
    expect(trace.totalCostUsd).toBeCloseTo(CACHED_COST + FULL_COST, 12);
    expect(byId.cached!.price).toMatchObject({ recordedAtIngest: true, price: { source: 'BUILT_IN', model: 'gpt-4o-mini' } });
    expect(await storedRef('cached')).toMatch(/^builtin:\d+$/);
    expect(await storedRef('cached')).toBe(byId.cached!.price.price.id);
  });

  it('bills cached tokens at the cached rate through OTLP (GenAI semantic conventions)', async () => {
    const traceId = newTraceId();
    const spanId = newSpanId();
    const res = await otlp.post(
      otlpRequest([
        otlpSpan({
          traceId,
          spanId,
          name: 'chat gpt-4o-mini',
          startMs: Date.parse('2026-11-20T10:00:00Z'),
          attributes: {
            'gen_ai.operation.name': 'chat',
            'gen_ai.request.model': 'gpt-4o-mini',
            'gen_ai.provider.name': 'openai',
            'gen_ai.usage.input_tokens': 1_200,
            'gen_ai.usage.output_tokens': 50,
            'gen_ai.usage.cache_read.input_tokens': 1_024,
          },
        }),
      ]),
      { secret },
    );
    expect(res.status).toBe(200);
    expect(res.json().partialSuccess?.rejectedSpans ?? 0).toBe(0);
    const [stored] = (await spansOf(traceId)).spans;
    expect(stored).toMatchObject({ id: spanId, cacheReadTokens: 1_024, price: { recordedAtIngest: true, price: { source: 'BUILT_IN' } } });
    expect(stored!.costUsd).toBeCloseTo(CACHED_COST, 12);
    expect(await storedRef(spanId)).toMatch(/^builtin:\d+$/);
  });

  it('applies a project price from its effective date and not before, through both doors', async () => {
    const set = await owner.gql(SET, {
      p: projectId,
      i: { model: 'gpt-4o-mini', inputUsdPerMillion: 1, cachedInputUsdPerMillion: 0.5, outputUsdPerMillion: 2, effectiveFrom: '2026-11-10T00:00:00Z' },
    });
    expect(set.errors).toBeUndefined();
    const projectRef = set.data.setModelPrice.id as string;
    const tokens = { model: 'gpt-4o-mini', promptTokens: 1_000_000, cacheReadTokens: 400_000, completionTokens: 1_000_000 };
    const res = await ingest.gql(INGEST, {
      spans: [
        span({ id: 'before-date', traceId: 'dated', startTime: '2026-11-09T23:59:59.000Z', endTime: '2026-11-09T23:59:59.500Z', ...tokens }),
        span({ id: 'after-date', traceId: 'dated', startTime: '2026-11-10T00:00:01.000Z', endTime: '2026-11-10T00:00:02.000Z', ...tokens }),
      ],
    });
    expect(res.data.ingest.rejected).toEqual([]);
    const byId = Object.fromEntries((await spansOf('dated')).spans.map((s) => [s.id, s]));
    // Built-in before the date: 600k × 0.15 + 400k × 0.075 + 1M × 0.60.
    expect(byId['before-date']!.costUsd).toBeCloseTo(0.09 + 0.03 + 0.6, 10);
    expect(byId['before-date']!.price.price.source).toBe('BUILT_IN');
    expect(await storedRef('before-date')).toMatch(/^builtin:/);
    // The project's price from it: 600k × 1 + 400k × 0.5 + 1M × 2.
    expect(byId['after-date']!.costUsd).toBeCloseTo(0.6 + 0.2 + 2, 10);
    expect(byId['after-date']!.price).toMatchObject({ recordedAtIngest: true, price: { id: projectRef, source: 'PROJECT' } });
    expect(await storedRef('after-date')).toBe(projectRef);

    const otlpSpanId = newSpanId();
    const otlpTrace = newTraceId();
    await otlp.post(
      otlpRequest([
        otlpSpan({
          traceId: otlpTrace,
          spanId: otlpSpanId,
          startMs: Date.parse('2026-11-12T08:00:00Z'),
          attributes: { 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': 'gpt-4o-mini', 'gen_ai.usage.input_tokens': 1_000_000, 'gen_ai.usage.output_tokens': 0 },
        }),
      ]),
      { secret },
    );
    const [viaOtlp] = (await spansOf(otlpTrace)).spans;
    expect(viaOtlp!.costUsd).toBeCloseTo(1, 10);
    expect(await storedRef(otlpSpanId)).toBe(projectRef);
  });

  it('re-prices a re-sent span from the merged row: model first, tokens with cache counts later', async () => {
    const first = await ingest.gql(INGEST, {
      spans: [span({ id: 'resent', traceId: 'resent', startTime: '2026-11-15T10:00:00.000Z', endTime: null, model: 'gpt-4o-mini', promptTokens: null, completionTokens: null })],
    });
    expect(first.data.ingest.accepted).toBe(1);
    expect((await spansOf('resent')).spans[0]!.costUsd).toBeNull();
    expect(await storedRef('resent')).toBeNull();

    // The completing copy names no model: its own cost is unknown, the merged row's is not.
    const second = await ingest.gql(INGEST, {
      spans: [span({ id: 'resent', traceId: 'resent', startTime: '2026-11-15T10:00:00.000Z', endTime: '2026-11-15T10:00:02.000Z', model: null, promptTokens: 1_000_000, cacheReadTokens: 1_000_000, completionTokens: 0 })],
    });
    expect(second.data.ingest).toEqual({ accepted: 1, rejected: [] });
    const trace = await spansOf('resent');
    // All of the prompt cached, at the project's cached rate of $0.50.
    expect(trace.spans[0]!.costUsd).toBeCloseTo(0.5, 10);
    expect(trace.totalCostUsd).toBeCloseTo(0.5, 10);
    expect(await storedRef('resent')).toMatch(/^project:/);

    // A later copy with nothing new keeps the cost and the reference.
    const third = await ingest.gql(INGEST, { spans: [span({ id: 'resent', traceId: 'resent', startTime: '2026-11-15T10:00:00.000Z', endTime: '2026-11-15T10:00:02.000Z', model: null, promptTokens: null, completionTokens: null, output: { done: true } })] });
    expect(third.data.ingest).toEqual({ accepted: 1, rejected: [] });
    expect((await spansOf('resent')).spans[0]!.costUsd).toBeCloseTo(0.5, 10);
    expect(await storedRef('resent')).toMatch(/^project:/);
  });
});
