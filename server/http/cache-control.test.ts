import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, INGEST, span, type TestApp } from '../testing/test-app';

// Every /graphql answer can carry private data (a trace, a member's e-mail, a key's secret on
// creation): none may be kept by a browser cache or a shared proxy.

describe('Cache-Control on /graphql', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ TOKENTRACE_MAX_BODY_BYTES: '2048' });
  });
  afterAll(() => t.close());

  const post = (body: unknown, headers: Record<string, string> = {}) =>
    t.app.yoga.fetch('http://localhost:4000/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });

  it('is no-store on data, errors, refusals and the live tail', async () => {
    const { owner, ingest, projectId, secret } = await t.projectWithKey();
    const created = await owner.gql('mutation($p: ID!) { createApiKey(projectId: $p, name: "second") { secret } }', { p: projectId });
    expect(created.data.createApiKey.secret).toMatch(/^ttk_/);
    expect(created.headers.get('cache-control')).toBe('no-store');
    const read = await owner.gql('query($p: ID!) { project(id: $p) { members { user { email } } } }', { p: projectId });
    expect(read.headers.get('cache-control')).toBe('no-store');
    expect((await ingest.gql(INGEST, { spans: [span()] })).headers.get('cache-control')).toBe('no-store');

    const responses = [
      await post({ query: '{ viewer { id } }' }),
      await post({ query: '{ nope }' }),
      await post({ query: '{ viewer { id } }' }, { authorization: 'Bearer ttk_forged' }),
      await post({ query: `{ viewer { id } } #${'x'.repeat(4096)}` }, { 'content-length': '5000' }),
      await post({ query: 'query($p: ID!) { project(id: $p) { id } }', variables: { p: projectId } }, { authorization: `Bearer ${secret}` }),
    ];
    expect(responses.map((r) => r.status)).toEqual([200, 200, 401, 413, 200]);
    for (const res of responses) expect(res.headers.get('cache-control')).toBe('no-store');

    const abort = new AbortController();
    const tail = await t.app.yoga.fetch('http://localhost:4000/graphql', {
      method: 'POST',
      signal: abort.signal,
      headers: { 'content-type': 'application/json', accept: 'text/event-stream', cookie: owner.cookie! },
      body: JSON.stringify({ query: 'subscription($p: ID!) { spanIngested(projectId: $p) { id } }', variables: { p: projectId } }),
    });
    expect(tail.headers.get('content-type')).toMatch(/text\/event-stream/);
    expect(tail.headers.get('cache-control')).toBe('no-store');
    abort.abort();
  });
});
