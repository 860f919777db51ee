import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, INGEST, span, type GraphQLResponse, type TestApp, type TestClient } from '../testing/test-app';
import { expectCode } from '../testing/expect-code';

// Trace reads: the newest-first list with its filters and keyset pagination, and the detail
// view with span content — which only the detail view may load.

const LIST = `query($p: ID!, $filter: TraceFilter, $first: Int, $after: String) {
  project(id: $p) {
    traces(filter: $filter, first: $first, after: $after) {
      edges { cursor node { id startTime } }
      pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
      totalCount
    }
  }
}`;

const DETAIL_WITH_CONTENT = `query($p: ID!, $id: ID!) {
  project(id: $p) { trace(id: $id) { id spans { id input output } } }
}`;

interface Page {
  edges: { cursor: string; node: { id: string; startTime: string } }[];
  pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; startCursor: string | null; endCursor: string | null };
  totalCount: number;
}

function ok(res: GraphQLResponse): GraphQLResponse {
  expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
  return res;
}


/** SQL that reads span content: the input or output column, or every column of spans. */
function readsContent(sql: string): boolean {
  return /"?\b(input|output)\b"?/i.test(sql) || /select\s+(?:"?spans"?\.)?\*\s+from\s+"?spans"?/i.test(sql);
}

describe('traces', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  async function page(owner: TestClient, projectId: string, variables: Record<string, unknown> = {}): Promise<Page> {
    const res = ok(await owner.gql(LIST, { p: projectId, ...variables }));
    return res.data.project.traces as Page;
  }

  const ids = (p: Page) => p.edges.map((e) => e.node.id);

  /** Every page of `first` traces, following endCursor; checks the page flags on the way. */
  async function walk(owner: TestClient, projectId: string, first: number, filter?: Record<string, unknown>): Promise<string[][]> {
    const pages: string[][] = [];
    let after: string | null = null;
    for (let guard = 0; guard < 50; guard++) {
      const p: Page = await page(owner, projectId, { first, after, filter });
      pages.push(ids(p));
      expect(p.pageInfo.hasPreviousPage).toBe(after !== null);
      if (p.edges.length > 0) expect(p.pageInfo.endCursor).toBe(p.edges.at(-1)!.cursor);
      if (!p.pageInfo.hasNextPage) return pages;
      expect(p.edges).toHaveLength(first);
      after = p.pageInfo.endCursor;
    }
    throw new Error('pagination did not end');
  }

  describe('list and filters', () => {
    let owner: TestClient;
    let projectId: string;

    // Five traces, newest last, with attributes chosen so each filter picks a different set.
    const traces = {
      'tr-a': { start: '2026-11-01T08:00:00.000Z', name: 'checkout', userId: 'u1', sessionId: 's1', tags: ['prod'], model: 'gpt-4o-mini', tokens: [1000, 1000], error: false },
      'tr-b': { start: '2026-11-01T09:00:00.000Z', name: 'search', userId: 'u2', sessionId: 's1', tags: ['prod', 'beta'], model: 'gpt-4o', tokens: [1000, 1000], error: true },
      'tr-c': { start: '2026-11-01T10:00:00.000Z', name: 'checkout', userId: 'u1', sessionId: 's2', tags: ['beta'], model: 'claude-3-5-haiku', tokens: [100, 100], error: false },
      'tr-d': { start: '2026-11-01T11:00:00.000Z', name: 'summarize', userId: 'u3', sessionId: null, tags: [], model: 'house-model', tokens: [500, 500], error: true },
      'tr-e': { start: '2026-11-01T12:00:00.000Z', name: 'search', userId: 'u2', sessionId: 's2', tags: ['prod', 'beta', 'eval'], model: 'gpt-4o-mini', tokens: [10, 5], error: false },
    } as const;

    beforeAll(async () => {
      const setup = await t.projectWithKey();
      owner = setup.owner;
      projectId = setup.projectId;
      const spans = Object.entries(traces).flatMap(([traceId, tr]) => {
        const end = new Date(Date.parse(tr.start) + 2000).toISOString();
        return [
          span({
            id: `${traceId}-root`,
            traceId,
            kind: 'AGENT',
            name: 'root',
            model: null,
            promptTokens: null,
            completionTokens: null,
            startTime: tr.start,
            endTime: end,
            trace: { name: tr.name, userId: tr.userId, sessionId: tr.sessionId, tags: tr.tags },
          }),
          span({
            id: `${traceId}-llm`,
            traceId,
            parentId: `${traceId}-root`,
            model: tr.model,
            promptTokens: tr.tokens[0],
            completionTokens: tr.tokens[1],
            startTime: tr.start,
            endTime: end,
            status: tr.error ? 'ERROR' : 'OK',
          }),
        ];
      });
      const res = ok(await setup.ingest.gql(INGEST, { spans }));
      expect(res.data.ingest.rejected).toEqual([]);
    });

    it('lists newest first', async () => {
      const p = await page(owner, projectId);
      expect(ids(p)).toEqual(['tr-e', 'tr-d', 'tr-c', 'tr-b', 'tr-a']);
      expect(p.totalCount).toBe(5);
      expect(p.pageInfo).toMatchObject({ hasNextPage: false, hasPreviousPage: false });
    });

    const cases: [string, Record<string, unknown>, string[]][] = [
      ['from (inclusive)', { from: '2026-11-01T10:00:00.000Z' }, ['tr-e', 'tr-d', 'tr-c']],
      ['to (exclusive)', { to: '2026-11-01T10:00:00.000Z' }, ['tr-b', 'tr-a']],
      ['from and to', { from: '2026-11-01T09:00:00.000Z', to: '2026-11-01T11:00:00.000Z' }, ['tr-c', 'tr-b']],
      ['from with a time zone offset', { from: '2026-11-01T12:00:00.000+01:00' }, ['tr-e', 'tr-d']],
      ['name', { name: 'checkout' }, ['tr-c', 'tr-a']],
      ['userId', { userId: 'u2' }, ['tr-e', 'tr-b']],
      ['sessionId', { sessionId: 's1' }, ['tr-b', 'tr-a']],
      ['model (exact, not a prefix)', { model: 'gpt-4o' }, ['tr-b']],
      ['model', { model: 'gpt-4o-mini' }, ['tr-e', 'tr-a']],
      ['status ERROR', { status: 'ERROR' }, ['tr-d', 'tr-b']],
      ['status OK', { status: 'OK' }, ['tr-e', 'tr-c', 'tr-a']],
      ['one tag', { tags: ['prod'] }, ['tr-e', 'tr-b', 'tr-a']],
      ['all of two tags', { tags: ['prod', 'beta'] }, ['tr-e', 'tr-b']],
      ['all of three tags', { tags: ['eval', 'prod', 'beta'] }, ['tr-e']],
      ['an unknown tag', { tags: ['nope'] }, []],
      // Costs: a 0.00075, b 0.0125, c 0.00048, e 0.0000045; d has no price (null), so never matches.
      ['minCostUsd', { minCostUsd: 0.0005 }, ['tr-b', 'tr-a']],
      ['minCostUsd 0 leaves out unpriced traces', { minCostUsd: 0 }, ['tr-e', 'tr-c', 'tr-b', 'tr-a']],
      ['combined', { name: 'search', status: 'ERROR' }, ['tr-b']],
      ['combined with no match', { userId: 'u1', model: 'gpt-4o' }, []],
    ];
    it.each(cases)('filter %s returns exactly the matching traces, and totalCount agrees', async (_label, filter, expected) => {
      const p = await page(owner, projectId, { filter });
      expect(ids(p)).toEqual(expected);
      expect(p.totalCount).toBe(expected.length);
    });

    it('pages through a filter with first: 1', async () => {
      expect(await walk(owner, projectId, 1, { status: 'OK' })).toEqual([['tr-e'], ['tr-c'], ['tr-a']]);
    });

    it('totalCount counts the whole filter, not the page', async () => {
      const p = await page(owner, projectId, { first: 2, filter: { tags: ['prod'] } });
      expect(ids(p)).toEqual(['tr-e', 'tr-b']);
      expect(p.totalCount).toBe(3);
    });

    it('the list reads no span content, with or without a model filter', async () => {
      for (const filter of [undefined, { model: 'gpt-4o-mini' }]) {
        t.queries.length = 0;
        const res = ok(
          await owner.gql(
            `query($p: ID!, $f: TraceFilter) { project(id: $p) { traces(filter: $f) { edges { node { id name spanCount } } totalCount } } }`,
            { p: projectId, f: filter },
          ),
        );
        expect(res.data.project.traces.edges.length).toBeGreaterThan(0);
        expect(t.queries.some((q) => /from "traces"/i.test(q))).toBe(true);
        expect(t.queries.filter(readsContent)).toEqual([]);
      }
    });

    it('spans without input/output run no content query; with them, one query for the whole trace', async () => {
      t.queries.length = 0;
      const meta = ok(
        await owner.gql(`query($p: ID!) { project(id: $p) { trace(id: "tr-b") { spans { id name model status costUsd metadata } } } }`, {
          p: projectId,
        }),
      );
      expect(meta.data.project.trace.spans.map((s: { id: string }) => s.id)).toEqual(['tr-b-llm', 'tr-b-root'].sort());
      expect(t.queries.filter(readsContent)).toEqual([]);

      t.queries.length = 0;
      ok(await owner.gql(DETAIL_WITH_CONTENT, { p: projectId, id: 'tr-b' }));
      expect(t.queries.filter(readsContent)).toHaveLength(1);
    });
  });

  describe('keyset pagination', () => {
    it('walks five traces two at a time with no duplicates or gaps, also across equal start times', async () => {
      const { owner, ingest, projectId } = await t.projectWithKey();
      // Three traces share 11:00, and a page boundary falls between two of them.
      const starts: Record<string, string> = {
        'x-1': '2026-11-01T12:00:00.000Z',
        'x-2': '2026-11-01T11:00:00.000Z',
        'x-3': '2026-11-01T11:00:00.000Z',
        'x-4': '2026-11-01T11:00:00.000Z',
        'x-5': '2026-11-01T10:00:00.000Z',
      };
      ok(await ingest.gql(INGEST, { spans: Object.entries(starts).map(([traceId, startTime]) => span({ traceId, startTime, endTime: null })) }));

      const all = ids(await page(owner, projectId));
      // Newest first; equal start times fall back to id, descending.
      expect(all).toEqual(['x-1', 'x-4', 'x-3', 'x-2', 'x-5']);

      const pages = await walk(owner, projectId, 2);
      expect(pages).toEqual([['x-1', 'x-4'], ['x-3', 'x-2'], ['x-5']]);
      expect(pages.flat()).toEqual(all);
    });

    it('walks traces that all share one start time', async () => {
      const { owner, ingest, projectId } = await t.projectWithKey();
      const traceIds = ['t-07', 't-03', 't-11', 't-01', 't-05'];
      ok(await ingest.gql(INGEST, { spans: traceIds.map((traceId) => span({ traceId })) }));
      const expected = [...traceIds].sort().reverse();

      const pages = await walk(owner, projectId, 2);
      expect(pages.map((p) => p.length)).toEqual([2, 2, 1]);
      expect(pages.flat()).toEqual(expected);
      expect(new Set(pages.flat()).size).toBe(5);
    });

    it('a page that ends exactly at the last trace says hasNextPage false', async () => {
      const { owner, ingest, projectId } = await t.projectWithKey();
      ok(await ingest.gql(INGEST, { spans: ['a', 'b', 'c', 'd'].map((traceId) => span({ traceId })) }));
      const pages = await walk(owner, projectId, 2);
      expect(pages).toEqual([['d', 'c'], ['b', 'a']]);
    });

    it('an invalid after cursor is BAD_USER_INPUT', async () => {
      const { owner, projectId } = await t.projectWithKey();
      const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64url');
      for (const after of ['garbage', 'not base64 at all!', b64('{}'), b64('null'), b64('["not a date","x"]'), b64('["2026-11-01T10:00:00.000Z",5]')]) {
        const res = await owner.gql(LIST, { p: projectId, after });
        expectCode(res, 'BAD_USER_INPUT');
      }
    });

    it('first must be between 1 and 200', async () => {
      const { owner, projectId } = await t.projectWithKey();
      for (const first of [0, -1, 500]) {
        const res = await owner.gql(LIST, { p: projectId, first });
        expectCode(res, 'BAD_USER_INPUT');
      }
      ok(await owner.gql(LIST, { p: projectId, first: 200 }));
      ok(await owner.gql(LIST, { p: projectId, first: 1 }));
    });
  });

  describe('trace detail', () => {
    it('returns span content exactly as sent: objects, strings, arrays, numbers, unicode', async () => {
      const { owner, ingest, projectId } = await t.projectWithKey();
      const contents: [unknown, unknown][] = [
        [{ messages: [{ role: 'user', content: 'Grüße, 世界! 👋🏽 «ok»' }], temperature: 0.2, stream: false, stop: null }, { text: 'ünïcödé ✓', n: [1, 2.5, -3] }],
        ['a plain string with "quotes", \\backslashes\\, a\nnewline, a\ttab and \u0000 a NUL', 'مرحبا بالعالم — שלום'],
        [[1, 'two', { three: 3 }, [null, true, false], []], { '': 'empty key', 'ключ': 'значение', nested: { deep: { deeper: ['x'] } } }],
        [42, false],
        [{}, ''],
        ['\ud83d lone surrogate and e\u0301 combining', 1e21],
      ];
      const sent = ok(
        await ingest.gql(INGEST, {
          spans: contents.map(([input, output], i) => span({ id: `c-${i}`, traceId: 'content', input, output, startTime: `2026-11-01T10:00:0${i}.000Z`, endTime: null })),
        }),
      );
      expect(sent.data.ingest).toEqual({ accepted: contents.length, rejected: [] });

      const res = ok(await owner.gql(DETAIL_WITH_CONTENT, { p: projectId, id: 'content' }));
      const spans = res.data.project.trace.spans as { id: string; input: unknown; output: unknown }[];
      expect(spans.map((s) => s.id)).toEqual(contents.map((_, i) => `c-${i}`));
      spans.forEach((s, i) => {
        expect(s.input, `c-${i} input`).toStrictEqual(contents[i]![0]);
        expect(s.output, `c-${i} output`).toStrictEqual(contents[i]![1]);
      });
    });

    it('a span sent without content reads back null', async () => {
      const { owner, ingest, projectId } = await t.projectWithKey();
      ok(await ingest.gql(INGEST, { spans: [span({ id: 'bare', input: null, output: undefined })] }));
      const res = ok(await owner.gql(DETAIL_WITH_CONTENT, { p: projectId, id: 'trace-1' }));
      expect(res.data.project.trace.spans).toEqual([{ id: 'bare', input: null, output: null }]);
    });

    it('another project’s trace id is null, even when both projects use the same id', async () => {
      const a = await t.projectWithKey();
      const b = await t.projectWithKey();
      ok(await a.ingest.gql(INGEST, { spans: [span({ traceId: 'only-in-a', input: 'a secret' }), span({ traceId: 'shared', trace: { name: 'from a' } })] }));
      ok(await b.ingest.gql(INGEST, { spans: [span({ traceId: 'shared', trace: { name: 'from b' } })] }));

      const q = `query($p: ID!, $id: ID!) { project(id: $p) { trace(id: $id) { id name spanCount spans { input } } } }`;
      const foreign = ok(await b.owner.gql(q, { p: b.projectId, id: 'only-in-a' }));
      expect(foreign.data.project.trace).toBeNull();

      const own = ok(await b.owner.gql(q, { p: b.projectId, id: 'shared' }));
      expect(own.data.project.trace).toMatchObject({ id: 'shared', name: 'from b', spanCount: 1 });
      const theirs = ok(await a.owner.gql(q, { p: a.projectId, id: 'shared' }));
      expect(theirs.data.project.trace).toMatchObject({ id: 'shared', name: 'from a', spanCount: 1 });

      // And b's owner cannot reach a's project at all.
      const other = ok(await b.owner.gql(q, { p: a.projectId, id: 'only-in-a' }));
      expect(other.data.project).toBeNull();
    });
  });
});
