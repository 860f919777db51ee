import { createHash } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findAuditPage } from '../db/repositories/audit-log';
import { runRetention } from '../services/retention/run-retention';
import { startExport } from '../services/export/export-spans';
import { parseExportParams } from '../services/export/export-params';
import { EXPORT_COLUMNS } from '../services/export/export-format';
import { createTestApp, INGEST, span, TestClient, type TestApp } from '../testing/test-app';
import { createHttpServer } from './server';
import { contextFor } from './yoga';

// The streaming export over real HTTP, as an integration would call it: the trace list's
// filters, both formats, content per the caller's role, who may call it, and its audit trail.

const DAY = 86_400_000;

describe('GET /api/projects/{projectId}/export', () => {
  let t: TestApp;
  let base: string;
  let server: ReturnType<typeof createHttpServer>;
  let p: Awaited<ReturnType<TestApp['projectWithKey']>>;
  let pat: string;
  const now = Date.now();
  const at = (minutesAgo: number) => new Date(now - minutesAgo * 60_000).toISOString();

  const get = (path: string, headers: Record<string, string> = {}) => fetch(`${base}${path}`, { headers });
  const asOwner = (query: string) => get(`/api/projects/${p.projectId}/export?${query}`, { cookie: p.owner.cookie! });
  const lines = async (res: Response) => (await res.text()).split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, any>);

  beforeAll(async () => {
    t = await createTestApp({ TOKENTRACE_EXPORTS_PER_INSTANCE: '1' });
    server = createHttpServer(t.app);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    p = await t.projectWithKey();
    const res = await p.ingest.gql(INGEST, {
      spans: [
        span({ id: 'a1-root', traceId: 'ta1', startTime: at(30), endTime: at(29), trace: { name: 'chat', userId: 'alice', sessionId: 's1', tags: ['prod'] }, input: { q: 'alice asks' } }),
        span({ id: 'a1-tool', traceId: 'ta1', parentId: 'a1-root', kind: 'TOOL', name: '=HYPERLINK("http://x")', startTime: at(29.5), endTime: at(29.4), status: 'ERROR', statusMessage: 'boom', input: '=1+1' }),
        span({ id: 'a2', traceId: 'ta2', startTime: at(10), endTime: at(9), model: 'claude-3-5-haiku', metadata: { secretish: 'card ending 4242' }, trace: { name: 'chat', userId: 'alice', tags: ['prod', 'beta'], metadata: { plan: 'pro', attempt: 2 } } }),
        span({ id: 'b1', traceId: 'tb1', startTime: at(20), endTime: at(19), trace: { name: 'search', userId: 'bob' } }),
        span({ id: 'old', traceId: 'told', startTime: new Date(now - 40 * DAY).toISOString(), endTime: null, trace: { userId: 'carol' } }),
      ],
    });
    expect(res.data.ingest.rejected).toEqual([]);
    // One span's content removed by retention.
    await p.owner.gql('mutation($p: ID!) { updateProjectSettings(projectId: $p, input: { retention: { contentDays: 30 } }) { id } }', { p: p.projectId });
    await runRetention(t.app.deps, { projectIds: [p.projectId] });
    const token = await p.owner.gql('mutation { createPersonalAccessToken(name: "export", readOnly: true) { secret } }');
    pat = token.data.createPersonalAccessToken.secret;
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    await t.close();
  });

  it('streams one JSON line per span with its trace’s fields, newest trace first, content included for the owner', async () => {
    const res = await asOwner('format=jsonl');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/x-ndjson; charset=utf-8');
    expect(res.headers.get('content-disposition')).toMatch(/^attachment; filename="tokentrace-.*\.jsonl"$/);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const rows = await lines(res);
    expect(rows.map((r) => r.spanId)).toEqual(['a2', 'b1', 'a1-root', 'a1-tool', 'old']);
    expect(Object.keys(rows[0]!)).toEqual(EXPORT_COLUMNS);
    expect(rows[2]).toMatchObject({
      traceId: 'ta1', traceName: 'chat', userId: 'alice', sessionId: 's1', tags: ['prod'], kind: 'GENERATION',
      contentStatus: 'AVAILABLE', input: { q: 'alice asks' }, output: { role: 'assistant', content: 'hi there' },
      promptTokens: 10, completionTokens: 5, totalTokens: 15, contentError: null, latencyMs: 60_000,
    });
    expect(rows[3]).toMatchObject({ status: 'ERROR', statusMessage: 'boom', input: '=1+1' });
    expect(rows[4]).toMatchObject({ spanId: 'old', contentStatus: 'REMOVED_BY_RETENTION', input: null, output: null, promptTokens: 10 });
  });

  it('applies the trace list’s filters', async () => {
    const ids = async (query: string) => (await lines(await asOwner(query))).map((r) => r.spanId);
    expect(await ids('userId=alice')).toEqual(['a2', 'a1-root', 'a1-tool']);
    expect(await ids('status=ERROR')).toEqual(['a1-root', 'a1-tool']);
    expect(await ids('tags=prod,beta')).toEqual(['a2']);
    expect(await ids('model=claude-3-5-haiku')).toEqual(['a2']);
    expect(await ids('name=search')).toEqual(['b1']);
    expect(await ids('sessionId=s1')).toEqual(['a1-root', 'a1-tool']);
    expect(await ids(`from=${encodeURIComponent(at(25))}&to=${encodeURIComponent(at(5))}`)).toEqual(['a2', 'b1']);
    expect(await ids('userId=nobody')).toEqual([]);
  });

  it('takes the filters the dashboard’s list queries with: substrings of name and model, and metadata', async () => {
    const ids = async (query: string) => (await lines(await asOwner(query))).map((r) => r.spanId);
    expect(await ids('nameContains=EARC')).toEqual(['b1']);
    expect(await ids('modelContains=haiku')).toEqual(['a2']);
    // Whole traces: the tool span comes with the trace whose generation matched.
    expect(await ids('modelContains=4o-MINI')).toEqual(['b1', 'a1-root', 'a1-tool', 'old']);
    expect(await ids('metadata=plan')).toEqual(['a2']);
    expect(await ids('metadata=plan%3Dpro&metadata=attempt%3D2')).toEqual(['a2']);
    expect(await ids('metadata=plan%3Dfree')).toEqual([]);
  });

  it('exports exactly the traces the list shows for the same filter', async () => {
    const LIST = `query($p: ID!, $f: TraceFilter) { project(id: $p) { traces(filter: $f, first: 200) { edges { node { id } } } } }`;
    const filters: [Record<string, unknown>, string][] = [
      [{}, ''],
      [{ nameContains: 'ch', status: 'ERROR' }, 'nameContains=ch&status=ERROR'],
      [{ modelContains: 'mini', userId: 'alice' }, 'modelContains=mini&userId=alice'],
      [{ tags: ['prod'], from: at(35) }, `tags=prod&from=${encodeURIComponent(at(35))}`],
      [{ metadata: [{ key: 'attempt', value: '2' }] }, 'metadata=attempt%3D2'],
      [{ minCostUsd: 0 }, 'minCostUsd=0'],
    ];
    for (const [filter, query] of filters) {
      const listed = await p.owner.gql(LIST, { p: p.projectId, f: filter });
      expect(listed.errors).toBeUndefined();
      const shown = listed.data.project.traces.edges.map((e: { node: { id: string } }) => e.node.id);
      const exported = [...new Set((await lines(await asOwner(query))).map((r) => r.traceId))];
      expect(exported, query).toEqual(shown);
    }
  });

  it('refuses filter values the database could not compare, with BAD_USER_INPUT', async () => {
    const status = async (query: string) => {
      const res = await asOwner(query);
      return [res.status, ((await res.json()) as { errors: { extensions: { code: string } }[] }).errors[0]!.extensions.code];
    };
    expect(await status('name=a%00b')).toEqual([400, 'BAD_USER_INPUT']);
    expect(await status(`nameContains=${'x'.repeat(1_001)}`)).toEqual([400, 'BAD_USER_INPUT']);
    expect(await status('metadata=%3Dvalue')).toEqual([400, 'BAD_USER_INPUT']);
    expect(await status(`metadata=${Array.from({ length: 11 }, (_, i) => `k${i}`).join('&metadata=')}`)).toEqual([400, 'BAD_USER_INPUT']);
    expect(await status('from=-271821-04-20T00:00:00.000Z')).toEqual([400, 'BAD_USER_INPUT']);
  });

  it('writes CSV with a header row, quoting, and cells a spreadsheet would run defused', async () => {
    const res = await asOwner('format=csv&userId=alice');
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    const text = await res.text();
    const [header, ...rest] = text.trimEnd().split('\n');
    expect(header).toBe(EXPORT_COLUMNS.join(','));
    expect(rest).toHaveLength(3);
    expect(text).toContain(`'=HYPERLINK(""http://x"")`);
    expect(text).not.toMatch(/(^|,)=HYPERLINK/m);
    expect(text).toContain('"{""q"":""alice asks""}"');
  });

  it('takes a personal access token, refuses an ingest key, a stranger and a bad request with a clear code', async () => {
    const viaToken = await get(`/api/projects/${p.projectId}/export?userId=bob`, { authorization: `Bearer ${pat}` });
    expect(viaToken.status).toBe(200);
    expect((await lines(viaToken)).map((r) => r.spanId)).toEqual(['b1']);

    const code = async (res: Response) => [res.status, ((await res.json()) as { errors: { extensions: { code: string } }[] }).errors[0]!.extensions.code];
    expect(await code(await get(`/api/projects/${p.projectId}/export`, { authorization: `Bearer ${p.secret}` }))).toEqual([403, 'FORBIDDEN']);
    expect(await code(await get(`/api/projects/${p.projectId}/export`))).toEqual([401, 'UNAUTHENTICATED']);
    const stranger = await t.signUp('Stranger');
    expect(await code(await get(`/api/projects/${p.projectId}/export`, { cookie: stranger.client.cookie! }))).toEqual([404, 'NOT_FOUND']);
    expect(await code(await get('/api/projects/not-a-uuid/export', { cookie: p.owner.cookie! }))).toEqual([404, 'NOT_FOUND']);
    expect(await code(await asOwner('format=xml'))).toEqual([400, 'BAD_USER_INPUT']);
    expect(await code(await asOwner('user=alice'))).toEqual([400, 'BAD_USER_INPUT']);
    expect(await code(await asOwner('from=2026-01-01'))).toEqual([400, 'BAD_USER_INPUT']);
    // A cookie sent by another site's page is refused, as for GraphQL.
    expect(await code(await get(`/api/projects/${p.projectId}/export`, { cookie: p.owner.cookie!, 'sec-fetch-site': 'cross-site' }))).toEqual([403, 'FORBIDDEN']);
    expect((await fetch(`${base}/api/projects/${p.projectId}/export`, { method: 'DELETE', headers: { cookie: p.owner.cookie! } })).status).toBe(405);
  });

  it('shows content as "hidden" to a VIEWER of a project that keeps content for admins', async () => {
    const viewer = await t.signUp('Viewer');
    await p.owner.gql('mutation($p: ID!, $e: String!) { addProjectMember(projectId: $p, email: $e, role: VIEWER) { role } }', { p: p.projectId, e: viewer.email });
    const shown = await lines(await get(`/api/projects/${p.projectId}/export?userId=bob`, { cookie: viewer.client.cookie! }));
    expect(shown[0]).toMatchObject({ contentStatus: 'AVAILABLE', input: { messages: [{ role: 'user', content: 'hello' }] } });
    await p.owner.gql('mutation($p: ID!) { updateProjectSettings(projectId: $p, input: { contentVisibility: ADMINS_ONLY }) { id } }', { p: p.projectId });
    const rows = await lines(await get(`/api/projects/${p.projectId}/export`, { cookie: viewer.client.cookie! }));
    expect(rows.find((r) => r.spanId === 'b1')).toMatchObject({ contentStatus: 'HIDDEN', input: 'hidden', output: 'hidden', promptTokens: 10 });
    // Error messages and metadata often quote content: hidden with it, as the API hides them.
    expect(rows.find((r) => r.spanId === 'a1-tool')).toMatchObject({ status: 'ERROR', statusMessage: 'hidden' });
    expect(rows.find((r) => r.spanId === 'a2')).toMatchObject({ metadata: 'hidden', traceMetadata: 'hidden', model: 'claude-3-5-haiku' });
    expect(JSON.stringify(rows)).not.toContain('boom');
    expect(JSON.stringify(rows)).not.toContain('4242');
    expect(JSON.stringify(rows)).not.toContain('"pro"');
    const csv = await (await get(`/api/projects/${p.projectId}/export?format=csv`, { cookie: viewer.client.cookie! })).text();
    expect(csv).not.toMatch(/boom|4242|""pro""/);
    // The owner still gets all of it.
    const own = await lines(await asOwner('userId=alice'));
    expect(own.find((r) => r.spanId === 'a1-tool')).toMatchObject({ statusMessage: 'boom' });
    expect(own.find((r) => r.spanId === 'a2')).toMatchObject({ metadata: { secretish: 'card ending 4242' }, traceMetadata: { plan: 'pro', attempt: 2 } });
    expect(rows.find((r) => r.spanId === 'old')).toMatchObject({ contentStatus: 'REMOVED_BY_RETENTION', input: null });
    expect(JSON.stringify(rows)).not.toContain('alice asks');
    await p.owner.gql('mutation($p: ID!) { updateProjectSettings(projectId: $p, input: { contentVisibility: MEMBERS }) { id } }', { p: p.projectId });
  });

  it('is audited: who, which filters (a userId only as its hash), whether content was included, how many rows', async () => {
    await (await asOwner('userId=alice&status=ERROR')).text();
    const [finish] = await findAuditPage(t.app.deps.db, p.projectId, { action: 'export.finish' }, null, 1);
    const [start] = await findAuditPage(t.app.deps.db, p.projectId, { action: 'export.start' }, null, 1);
    const hash = `sha256:${createHash('sha256').update(`${p.projectId}:alice`).digest('hex')}`;
    expect(start).toMatchObject({ actor_type: 'user', details: { format: 'jsonl', filter: { userIdHash: hash, status: 'ERROR' }, content: 'included' } });
    expect(JSON.stringify(start!.details)).not.toContain('alice');
    expect(finish).toMatchObject({ actor_type: 'user', details: { rows: 2, completed: true, format: 'jsonl' } });
  });

  it('runs a bounded number of exports per server, and records an export cut short', async () => {
    const ctx = contextFor(t.app.deps, { kind: 'user', via: 'session', userId: p.ownerId, sessionId: 'test' }, { ip: null, userAgent: null, secure: false }, []);
    const params = parseExportParams(new URLSearchParams());
    const first = await startExport(ctx, p.projectId, params);
    await expect(startExport(ctx, p.projectId, params)).rejects.toMatchObject({ code: 'RATE_LIMITED' });
    const abort = new AbortController();
    let written = 0;
    const outcome = await first.run({ write: async () => void (++written === 1 || abort.abort()) }, abort.signal);
    expect(outcome.completed).toBe(false);
    const [finish] = await findAuditPage(t.app.deps.db, p.projectId, { action: 'export.finish' }, null, 1);
    expect(finish?.details).toMatchObject({ completed: false });
    // The slot is free again.
    const again = await startExport(ctx, p.projectId, params);
    expect((await again.run({ write: async () => undefined }, new AbortController().signal)).rows).toBe(5);
  });
});
