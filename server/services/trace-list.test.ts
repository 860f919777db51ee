import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, INGEST, span, type GraphQLResponse, type TestApp, type TestClient } from '../testing/test-app';

// Finding traces (issue 16): every sort in both directions with keyset pages, unknown values
// last; substring filters on name and model; metadata filters; the bounded count.

const LIST = `query($p: ID!, $filter: TraceFilter, $first: Int, $after: String, $orderBy: TraceOrder, $max: Int) {
  project(id: $p) {
    traces(filter: $filter, first: $first, after: $after, orderBy: $orderBy) {
      edges { cursor node { id totalCostUsd totalTokens durationMs startTime } }
      pageInfo { hasNextPage endCursor }
      boundedCount(max: $max) { count exact }
    }
  }
}`;

function ok(res: GraphQLResponse): GraphQLResponse {
  expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
  return res;
}

interface Row {
  id: string;
  cost: number | null;
  tokens: number;
  durationMs: number | null;
  start: string;
}

// Ten traces. Ties on purpose (two costs, two durations, two token counts equal), two unpriced
// (unknown model), two still running (no end): each sort must place them deterministically.
const T0 = Date.parse('2026-11-02T08:00:00.000Z');
const DATA = [
  { id: 'f-01', model: 'gpt-4o-mini', p: 1000, c: 100, durationMs: 1200, name: 'Checkout flow', meta: { tier: 'gold', attempt: 2 } },
  { id: 'f-02', model: 'gpt-4o', p: 1000, c: 100, durationMs: 300, name: 'checkout-retry', meta: { tier: 'silver' } },
  { id: 'f-03', model: 'gpt-4o', p: 1000, c: 100, durationMs: 300, name: 'search', meta: { tier: 'gold', flag: true } },
  { id: 'f-04', model: 'acme-llm-9000', p: 50, c: 5, durationMs: 2500, name: 'summarize', meta: { attempt: '2' } },
  { id: 'f-05', model: 'claude-3-5-haiku', p: 2000, c: 400, durationMs: null, name: 'long 100% run', meta: null },
  { id: 'f-06', model: 'gpt-4o-mini', p: 10, c: 5, durationMs: 50, name: 'ping', meta: null },
  { id: 'f-07', model: 'acme-llm-9000', p: 10, c: 5, durationMs: null, name: 'ping_two', meta: { tier: 'gold' } },
  { id: 'f-08', model: 'gpt-4.1-nano', p: 3000, c: 1000, durationMs: 5000, name: 'report', meta: null },
  { id: 'f-09', model: 'gpt-4.1-nano', p: 3000, c: 1000, durationMs: 800, name: 'REPORT weekly', meta: null },
  { id: 'f-10', model: 'o3-mini', p: 400, c: 400, durationMs: 800, name: 'plan', meta: null },
];

describe('finding traces', () => {
  let t: TestApp;
  let owner: TestClient;
  let projectId: string;
  let rows: Row[];

  beforeAll(async () => {
    t = await createTestApp();
    const setup = await t.projectWithKey();
    owner = setup.owner;
    projectId = setup.projectId;
    const spans = DATA.map((d, i) => {
      const start = T0 + i * 60_000;
      return span({
        id: `${d.id}-span`,
        traceId: d.id,
        model: d.model,
        promptTokens: d.p,
        completionTokens: d.c,
        startTime: new Date(start).toISOString(),
        endTime: d.durationMs === null ? null : new Date(start + d.durationMs).toISOString(),
        trace: { name: d.name, ...(d.meta ? { metadata: d.meta } : {}) },
      });
    });
    ok(await setup.ingest.gql(INGEST, { spans }));
    const all = ok(await owner.gql(LIST, { p: projectId, first: 50 })).data.project.traces.edges as { node: Record<string, any> }[];
    rows = all.map(({ node: n }) => ({ id: n.id, cost: n.totalCostUsd, tokens: n.totalTokens, durationMs: n.durationMs, start: n.startTime }));
    expect(rows).toHaveLength(10);
    expect(rows.filter((r) => r.cost === null).map((r) => r.id).sort()).toEqual(['f-04', 'f-07']);
    expect(rows.filter((r) => r.durationMs === null).map((r) => r.id).sort()).toEqual(['f-05', 'f-07']);
  });
  afterAll(() => t.close());

  /** The order a person expects: by key in the direction, ties by id in the same direction, unknown last. */
  function expected(key: (r: Row) => number | null, direction: 'ASC' | 'DESC'): string[] {
    const sign = direction === 'ASC' ? 1 : -1;
    return [...rows]
      .sort((a, b) => {
        const ka = key(a);
        const kb = key(b);
        if (ka === null || kb === null) return ka === kb ? sign * a.id.localeCompare(b.id) : ka === null ? 1 : -1;
        return ka !== kb ? sign * (ka - kb) : sign * a.id.localeCompare(b.id);
      })
      .map((r) => r.id);
  }

  async function walk(orderBy: Record<string, unknown>, first: number): Promise<string[]> {
    const seen: string[] = [];
    let after: string | null = null;
    for (let guard = 0; guard < 20; guard++) {
      const conn: any = ok(await owner.gql(LIST, { p: projectId, first, after, orderBy })).data.project.traces;
      seen.push(...conn.edges.map((e: { node: { id: string } }) => e.node.id));
      if (!conn.pageInfo.hasNextPage) return seen;
      after = conn.pageInfo.endCursor;
    }
    throw new Error('pagination did not end');
  }

  const keys = {
    START_TIME: (r: Row) => Date.parse(r.start),
    DURATION: (r: Row) => r.durationMs,
    COST: (r: Row) => r.cost,
    TOKENS: (r: Row) => r.tokens,
  } as const;

  for (const field of Object.keys(keys) as (keyof typeof keys)[]) {
    for (const direction of ['DESC', 'ASC'] as const) {
      it(`sorts by ${field} ${direction}, in pages of 3 with no gap or repeat, unknown values last`, async () => {
        const want = expected(keys[field], direction);
        expect(await walk({ field, direction }, 3)).toEqual(want);
        // A page size that puts a page boundary inside the run of unknown values too.
        expect(await walk({ field, direction }, 4)).toEqual(want);
      });
    }
  }

  it('keeps the first wave’s default: newest first, and its two-part cursors still read', async () => {
    const first = ok(await owner.gql(LIST, { p: projectId, first: 2 })).data.project.traces;
    expect(first.edges.map((e: any) => e.node.id)).toEqual(['f-10', 'f-09']);
    const legacy = Buffer.from(JSON.stringify([rows.find((r) => r.id === 'f-09')!.start, 'f-09'])).toString('base64url');
    const next = ok(await owner.gql(LIST, { p: projectId, first: 2, after: legacy })).data.project.traces;
    expect(next.edges.map((e: any) => e.node.id)).toEqual(['f-08', 'f-07']);
  });

  it('refuses a cursor of another sort, and forged cursor keys, as BAD_USER_INPUT', async () => {
    const costPage = ok(await owner.gql(LIST, { p: projectId, first: 2, orderBy: { field: 'COST' } })).data.project.traces;
    const res = await owner.gql(LIST, { p: projectId, first: 2, after: costPage.pageInfo.endCursor, orderBy: { field: 'TOKENS' } });
    expect(res.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(res.errors?.[0]?.message).toMatch(/another sort/);
    const forge = (tuple: unknown[]) => Buffer.from(JSON.stringify(tuple)).toString('base64url');
    for (const [orderBy, cursor] of [
      [{ field: 'COST' }, forge(['COST', 'DESC', "1; drop table traces", 'x'])],
      [{ field: 'TOKENS' }, forge(['TOKENS', 'DESC', '1e999', 'x'])],
      [{ field: 'DURATION', direction: 'ASC' }, forge(['DURATION', 'ASC', 'NaN', 'x'])],
      [{ field: 'START_TIME' }, forge(['START_TIME', 'DESC', 'yesterday', 'x'])],
      [{ field: 'TOKENS' }, forge(['TOKENS', 'DESC', null, 'x'])],
      [{ field: 'COST' }, forge(['PRICE', 'DESC', '1', 'x'])],
    ] as const) {
      const r = await owner.gql(LIST, { p: projectId, first: 2, after: cursor, orderBy });
      expect(r.errors?.[0]?.extensions?.code, JSON.stringify(cursor)).toBe('BAD_USER_INPUT');
    }
  });

  const idsOf = async (filter: Record<string, unknown>) =>
    (ok(await owner.gql(LIST, { p: projectId, first: 50, filter })).data.project.traces.edges as { node: { id: string } }[]).map((e) => e.node.id).sort();

  it('filters names by substring, ignoring case, with % and _ taken literally', async () => {
    expect(await idsOf({ nameContains: 'checkout' })).toEqual(['f-01', 'f-02']);
    expect(await idsOf({ nameContains: 'REPORT' })).toEqual(['f-08', 'f-09']);
    expect(await idsOf({ nameContains: '100%' })).toEqual(['f-05']);
    expect(await idsOf({ nameContains: 'ping_' })).toEqual(['f-07']);
    expect(await idsOf({ nameContains: 'nothing like it' })).toEqual([]);
    // The exact filter keeps its meaning.
    expect(await idsOf({ name: 'checkout' })).toEqual([]);
  });

  it('filters models by substring: any span of the trace whose model contains it', async () => {
    expect(await idsOf({ modelContains: '4o' })).toEqual(['f-01', 'f-02', 'f-03', 'f-06']);
    expect(await idsOf({ modelContains: 'NANO' })).toEqual(['f-08', 'f-09']);
    expect(await idsOf({ modelContains: 'acme' })).toEqual(['f-04', 'f-07']);
    expect(await idsOf({ modelContains: 'gemini' })).toEqual([]);
    expect(await idsOf({ modelContains: '4o', nameContains: 'check' })).toEqual(['f-01', 'f-02']);
  });

  it('filters on metadata keys, string values, and numbers or booleans typed as text', async () => {
    expect(await idsOf({ metadata: [{ key: 'tier' }] })).toEqual(['f-01', 'f-02', 'f-03', 'f-07']);
    expect(await idsOf({ metadata: [{ key: 'tier', value: 'gold' }] })).toEqual(['f-01', 'f-03', 'f-07']);
    expect(await idsOf({ metadata: [{ key: 'attempt', value: '2' }] })).toEqual(['f-01', 'f-04']);
    expect(await idsOf({ metadata: [{ key: 'flag', value: 'true' }] })).toEqual(['f-03']);
    expect(await idsOf({ metadata: [{ key: 'tier', value: 'gold' }, { key: 'attempt' }] })).toEqual(['f-01']);
    expect(await idsOf({ metadata: [{ key: 'tier', value: 'GOLD' }] })).toEqual([]);
  });

  it('counts exactly up to the bound and says when there are more', async () => {
    const count = async (filter: Record<string, unknown>, max?: number) =>
      ok(await owner.gql(LIST, { p: projectId, first: 1, filter, max })).data.project.traces.boundedCount;
    expect(await count({})).toEqual({ count: 10, exact: true });
    expect(await count({}, 10)).toEqual({ count: 10, exact: true });
    expect(await count({}, 3)).toEqual({ count: 3, exact: false });
    expect(await count({ modelContains: 'acme' }, 3)).toEqual({ count: 2, exact: true });
    const bad = await owner.gql(LIST, { p: projectId, first: 1, max: 0 });
    expect(bad.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('refuses oversized filters with BAD_USER_INPUT', async () => {
    for (const filter of [
      { nameContains: 'x'.repeat(201) },
      { metadata: Array.from({ length: 11 }, (_, i) => ({ key: `k${i}` })) },
      { metadata: [{ key: '' }] },
    ]) {
      const res = await owner.gql(LIST, { p: projectId, first: 1, filter });
      expect(res.errors?.[0]?.extensions?.code, JSON.stringify(filter).slice(0, 60)).toBe('BAD_USER_INPUT');
    }
  });
});
