import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, INGEST, span, type TestApp } from '../../testing/test-app';
import { MAX_TOKENS_PER_FIELD } from './ingest-limits';

// One bad span never sinks the batch (issue 10, point 3): each kind of bad value that used to turn
// a whole request into INTERNAL_SERVER_ERROR — or, at variable coercion, into BAD_USER_INPUT for
// every span — is either cleaned (NUL, lone surrogates) or rejects only its own span, by index,
// while the good spans around it are stored. The choice per kind is in docs/ingest.md.

const TRACE = `query($p: ID!, $id: ID!) {
  project(id: $p) { trace(id: $id) { name userId tags metadata spans { id name metadata statusMessage } } }
}`;

function nested(depth: number): Record<string, unknown> {
  let value: Record<string, unknown> = { leaf: true };
  for (let i = 0; i < depth; i++) value = { down: value };
  return value;
}

/** JSON nested `depth` levels, written as text: JSON.stringify runs out of stack first. */
const deepJson = (depth: number) => '{"down":'.repeat(depth) + '{"leaf":true}' + '}'.repeat(depth);

/** The ingest mutation with `"DEEP"` string values replaced by 5,000-level JSON, straight through yoga. */
async function ingestRaw(t: TestApp, secret: string, spans: Record<string, unknown>[]) {
  const body = JSON.stringify({ query: INGEST, variables: { spans } }).replaceAll('"DEEP"', deepJson(5_000));
  const res = await t.app.yoga.fetch('http://localhost:4000/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${secret}` },
    body,
  });
  return (await res.json()) as { data?: any; errors?: { message: string; extensions?: { code?: string } }[] };
}

describe('hostile values in a batch', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  it('cleans NUL bytes and lone surrogates where Postgres cannot store them, and keeps the span', async () => {
    const { ingest, owner, projectId } = await t.projectWithKey();
    const res = await ingest.gql(INGEST, {
      spans: [
        span({
          id: 'nul',
          traceId: 'hostile-clean',
          name: 'ch\u0000at',
          statusMessage: 'fail\u0000ed',
          metadata: { 'ke\u0000y': 'va\u0000lue', broken: 'half \ud800 an emoji', list: ['\udc00'] },
          trace: { name: 'tr\u0000ace', userId: 'user\u0000-1', tags: ['t\u0000ag'], metadata: { note: 'lone \ud83d' } },
        }),
      ],
    });
    expect(res.errors).toBeUndefined();
    expect(res.data.ingest).toEqual({ accepted: 1, rejected: [] });
    const trace = (await owner.gql(TRACE, { p: projectId, id: 'hostile-clean' })).data.project.trace;
    expect(trace).toMatchObject({ name: 'trace', userId: 'user-1', tags: ['tag'], metadata: { note: 'lone \ufffd' } });
    expect(trace.spans[0]).toEqual({
      id: 'nul',
      name: 'chat',
      statusMessage: 'failed',
      metadata: { key: 'value', broken: 'half \ufffd an emoji', list: ['\ufffd'] },
    });
  });

  it('rejects each span with a bad value by its index, stores the others, and never answers INTERNAL_SERVER_ERROR', async () => {
    const { ingest, projectId, secret } = await t.projectWithKey();
    const spans = [
      span({ id: 'good-0', traceId: 'hostile-reject' }),
      span({ id: 'huge-sum', traceId: 'hostile-reject', promptTokens: 2147483647, completionTokens: 2147483647 }),
      span({ id: 'over-max', traceId: 'hostile-reject', promptTokens: MAX_TOKENS_PER_FIELD + 1 }),
      span({ id: 'at-max', traceId: 'hostile-reject', promptTokens: MAX_TOKENS_PER_FIELD, completionTokens: MAX_TOKENS_PER_FIELD }),
      span({ id: 'deep-metadata', traceId: 'hostile-reject', metadata: 'DEEP' }),
      span({ id: 'deep-input', traceId: 'hostile-reject', input: 'DEEP' }),
      span({ id: 'bad-date', traceId: 'hostile-reject', startTime: 'not-a-date' }),
      span({ id: 'bad-end', traceId: 'hostile-reject', endTime: '31/12/2026' }),
      span({ id: 'bad-kind', traceId: 'hostile-reject', kind: 'LLM' }),
      span({ id: 'bad-status', traceId: 'hostile-reject', status: 'FAILED' }),
      span({ id: 'bad-cache', traceId: 'hostile-reject', cacheReadTokens: -1 }),
      span({ id: 'fat-metadata', traceId: 'hostile-reject', metadata: { blob: 'x'.repeat(70_000) } }),
      span({ id: 'deep-trace-metadata', traceId: 'hostile-reject', trace: { metadata: nested(100) } }),
      span({ id: 'good-13', traceId: 'hostile-reject', kind: 'EMBEDDING', cacheReadTokens: 4, cacheWriteTokens: 2, reasoningTokens: 1 }),
    ];
    const res = await ingestRaw(t, secret, spans);
    expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
    expect(res.data.ingest.accepted).toBe(3);
    expect(res.data.ingest.rejected).toEqual([
      { index: 1, id: 'huge-sum', reason: 'promptTokens is above the maximum of 100,000,000 tokens' },
      { index: 2, id: 'over-max', reason: 'promptTokens is above the maximum of 100,000,000 tokens' },
      { index: 4, id: 'deep-metadata', reason: 'metadata is nested deeper than 64 levels' },
      { index: 5, id: 'deep-input', reason: 'input is nested deeper than 64 levels' },
      { index: 6, id: 'bad-date', reason: expect.stringMatching(/^startTime must be an ISO-8601 time with a time zone/) },
      { index: 7, id: 'bad-end', reason: expect.stringMatching(/^endTime must be an ISO-8601 time/) },
      { index: 8, id: 'bad-kind', reason: 'kind must be one of SPAN, GENERATION, EVENT, TOOL, RETRIEVAL, AGENT, EMBEDDING' },
      { index: 9, id: 'bad-status', reason: 'status must be one of OK, ERROR' },
      { index: 10, id: 'bad-cache', reason: 'cacheReadTokens must not be negative' },
      { index: 11, id: 'fat-metadata', reason: 'metadata is larger than 65536 bytes' },
      { index: 12, id: 'deep-trace-metadata', reason: 'trace.metadata is nested deeper than 64 levels' },
    ]);
    const rows = await t.app.deps.db
      .selectFrom('spans')
      .select(['id', 'total_tokens', 'kind', 'cache_read_tokens', 'cache_write_tokens', 'reasoning_tokens'])
      .where('project_id', '=', projectId)
      .orderBy('id')
      .execute();
    expect(rows).toEqual([
      { id: 'at-max', total_tokens: 2 * MAX_TOKENS_PER_FIELD, kind: 'GENERATION', cache_read_tokens: null, cache_write_tokens: null, reasoning_tokens: null },
      { id: 'good-0', total_tokens: 15, kind: 'GENERATION', cache_read_tokens: null, cache_write_tokens: null, reasoning_tokens: null },
      { id: 'good-13', total_tokens: 15, kind: 'EMBEDDING', cache_read_tokens: 4, cache_write_tokens: 2, reasoning_tokens: 1 },
    ]);
    // And the server answers the next request as usual.
    expect((await ingest.gql(INGEST, { spans: [span({ traceId: 'hostile-after' })] })).data.ingest).toEqual({ accepted: 1, rejected: [] });
  });

  it('a value too large for GraphQL Int is still a request error naming the span and field', async () => {
    const { ingest } = await t.projectWithKey();
    const res = await ingest.gql(INGEST, { spans: [span(), span({ promptTokens: 2 ** 31 })] });
    expect(res.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(res.errors?.[0]?.message).toContain('spans[1].promptTokens');
  });
});
