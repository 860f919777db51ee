import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHttpServer } from '../../http/server';
import { expectCode } from '../../testing/audit-helpers';
import { createTestApp, INGEST, span, TestClient, type TestApp } from '../../testing/test-app';
import { pruneAccessLog } from './prune-access-log';

// The content-read audit: with auditContentReads on, every read of span content through the
// API (live tail included) or the export lands in a separate, prunable access log — actor,
// project, trace, spans, time, IP — readable by ADMIN+ through Project.contentAccessLog.

const READ = 'query($p: ID!, $id: ID!) { project(id: $p) { trace(id: $id) { spans { id input } } } }';
const META_ONLY = 'query($p: ID!, $id: ID!) { project(id: $p) { trace(id: $id) { spans { id name totalTokens } } } }';
const LOG = `query($p: ID!, $filter: ContentAccessLogFilter, $first: Int, $after: String) { project(id: $p) { contentAccessLog(filter: $filter, first: $first, after: $after) {
  totalCount pageInfo { hasNextPage endCursor }
  edges { node { at actor { type id label } via traceId spanIds ip userAgent } }
} } }`;
const SETTINGS = 'mutation($p: ID!, $on: Boolean!) { updateProjectSettings(projectId: $p, input: { auditContentReads: $on }) { settings { auditContentReads } } }';

describe('content access log', () => {
  let t: TestApp;
  let p: Awaited<ReturnType<TestApp['projectWithKey']>>;
  let viewer: Awaited<ReturnType<TestApp['signUp']>>;
  const headers = { 'x-forwarded-for': '203.0.113.7', 'user-agent': 'access-test/1.0' };
  const log = async (filter: Record<string, unknown> = {}, first = 50) => {
    const res = await p.owner.gql(LOG, { p: p.projectId, filter, first });
    expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
    return res.data.project.contentAccessLog;
  };

  beforeAll(async () => {
    t = await createTestApp({ TRUST_PROXY: 'true' });
    p = await t.projectWithKey();
    viewer = await t.signUp('Vera Viewer');
    await p.owner.gql('mutation($p: ID!, $e: String!) { addProjectMember(projectId: $p, email: $e, role: VIEWER) { role } }', { p: p.projectId, e: viewer.email });
    const res = await p.ingest.gql(INGEST, { spans: [span({ id: 's1', traceId: 't1' }), span({ id: 's2', traceId: 't1' }), span({ id: 's3', traceId: 't2' })] });
    expect(res.data.ingest.rejected).toEqual([]);
  });
  afterAll(() => t.close());

  it('records nothing while the setting is off (the default)', async () => {
    await viewer.client.gql(READ, { p: p.projectId, id: 't1' }, headers);
    expect((await log()).totalCount).toBe(0);
  });

  it('records each content read when on: who, which trace and spans, when, from where', async () => {
    const on = await p.owner.gql(SETTINGS, { p: p.projectId, on: true });
    expect(on.data.updateProjectSettings.settings.auditContentReads).toBe(true);
    const before = Date.now();
    await viewer.client.gql(READ, { p: p.projectId, id: 't1' }, headers);
    // Metadata only is not a content read.
    await viewer.client.gql(META_ONLY, { p: p.projectId, id: 't2' }, headers);
    const page = await log();
    expect(page.totalCount).toBe(1);
    const [entry] = page.edges.map((e: { node: unknown }) => e.node);
    expect(entry).toMatchObject({
      actor: { type: 'user', id: viewer.userId, label: viewer.email },
      via: 'graphql',
      traceId: 't1',
      spanIds: ['s1', 's2'],
      ip: '203.0.113.7',
      userAgent: 'access-test/1.0',
    });
    expect(new Date(entry.at).getTime()).toBeGreaterThanOrEqual(before - 1000);
  });

  it('records the reads of an export, and filters by via and trace', async () => {
    const server = createHttpServer(t.app);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const res = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/api/projects/${p.projectId}/export`, { headers: { cookie: p.owner.cookie! } });
      expect((await res.text()).trim().split('\n')).toHaveLength(3);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
    const exported = await log({ via: 'export' });
    expect(exported.edges.map((e: { node: { traceId: string; spanIds: string[] } }) => [e.node.traceId, e.node.spanIds]).sort()).toEqual([
      ['t1', ['s1', 's2']],
      ['t2', ['s3']],
    ]);
    expect((await log({ traceId: 't2' })).totalCount).toBe(1);
    const paged = await log({}, 1);
    expect(paged.pageInfo.hasNextPage).toBe(true);
  });

  it('is ADMIN+ only, and the setting is changed by ADMIN+ only', async () => {
    expectCode(await viewer.client.gql(LOG, { p: p.projectId }), 'FORBIDDEN');
    expectCode(await viewer.client.gql(SETTINGS, { p: p.projectId, on: false }), 'FORBIDDEN');
    const token = await p.owner.gql('mutation { createPersonalAccessToken(name: "ro", readOnly: true) { secret } }');
    const viaToken = await new TestClient(t.app, token.data.createPersonalAccessToken.secret).gql(READ, { p: p.projectId, id: 't2' });
    expect(viaToken.errors).toBeUndefined();
    expect((await log({ traceId: 't2', via: 'graphql' })).edges[0].node.actor).toMatchObject({ type: 'token', label: expect.stringContaining('@') });
  });

  it('is pruned by age, apart from the audit log', async () => {
    const total = (await log()).totalCount;
    expect(total).toBeGreaterThan(0);
    const kept = await pruneAccessLog(t.app.deps, new AbortController().signal, new Date());
    expect(kept.accessLogPruned).toBe(0);
    const later = new Date(Date.now() + (t.app.deps.config.accessLogRetentionDays + 1) * 86_400_000);
    const pruned = await pruneAccessLog(t.app.deps, new AbortController().signal, later);
    expect(pruned.accessLogPruned).toBeGreaterThanOrEqual(total);
    expect((await log()).totalCount).toBe(0);
    // The hash-chained audit log is untouched by it.
    const audit = await p.owner.gql('query($p: ID!) { project(id: $p) { auditLog(filter: { action: "project.settings_change" }) { totalCount } } }', { p: p.projectId });
    expect(audit.data.project.auditLog.totalCount).toBe(1);
  });
});
