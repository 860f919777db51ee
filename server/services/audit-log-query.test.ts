import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectCode, GQL, ok, projectRows, REQUEST_HEADERS } from '../testing/audit-helpers';
import { createTestApp, TestClient, type TestApp } from '../testing/test-app';

// Project.auditLog and verifyAuditLog as an integration reads them: newest first, keyset pages,
// filters by action, actor and time, totalCount — and only for ADMIN+.

interface Node {
  id: string;
  at: string;
  action: string;
  actor: { type: string; id: string | null; label: string | null };
  targetType: string;
  targetId: string | null;
  ip: string | null;
  userAgent: string | null;
  details: unknown;
}

describe('Project.auditLog', () => {
  let t: TestApp;
  let owner: { client: TestClient; userId: string; email: string };
  let admin: { client: TestClient; userId: string; email: string };
  let viewer: { client: TestClient; userId: string; email: string };
  let projectId: string;

  const read = async (client: TestClient, variables: Record<string, unknown>) =>
    ok(await client.gql(GQL.auditLog, { p: projectId, ...variables })).project.auditLog as {
      totalCount: number;
      pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; endCursor: string | null };
      edges: { cursor: string; node: Node }[];
    };

  beforeAll(async () => {
    t = await createTestApp({ TRUST_PROXY: 'true' });
    [owner, admin, viewer] = await Promise.all([t.signUp('Owner'), t.signUp('Admin'), t.signUp('Viewer')]);
    const call = (c: TestClient, q: string, v: Record<string, unknown>) => c.gql(q, v, REQUEST_HEADERS).then(ok);
    projectId = (await call(owner.client, GQL.createProject, { name: 'reads' })).createProject.id;
    await call(owner.client, GQL.addMember, { p: projectId, email: admin.email, role: 'ADMIN' });
    await call(owner.client, GQL.addMember, { p: projectId, email: viewer.email, role: 'VIEWER' });
    for (const name of ['a', 'b', 'c']) await call(owner.client, GQL.createKey, { p: projectId, name });
    for (const name of ['d', 'e']) await call(admin.client, GQL.createKey, { p: projectId, name });
    await call(admin.client, GQL.updateSettings, { p: projectId, input: { redactInputs: true } });
  });
  afterAll(() => t.close());

  it('pages newest first with keyset cursors, and counts', async () => {
    const rows = await projectRows(t, projectId);
    expect(rows).toHaveLength(9);
    const seen: Node[] = [];
    let after: string | null = null;
    let pages = 0;
    for (;;) {
      const page = await read(admin.client, { first: 4, after });
      expect(page.totalCount).toBe(9);
      expect(page.pageInfo.hasPreviousPage).toBe(after !== null);
      seen.push(...page.edges.map((e) => e.node));
      pages += 1;
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
    }
    expect(pages).toBe(3);
    expect(seen.map((n) => n.id)).toEqual(rows.map((r) => String(r.id)).reverse());
    expect(seen[0]).toMatchObject({
      action: 'project.settings_change',
      actor: { type: 'user', id: admin.userId, label: admin.email },
      targetType: 'project',
      targetId: projectId,
      ip: '203.0.113.9',
      userAgent: 'audit-test/1.0 (vitest)',
      details: { before: { redactInputs: false }, after: { redactInputs: true } },
    });
    expect(new Date(seen[0]!.at).getTime()).toBe(rows.at(-1)!.at.getTime());
  });

  it('filters by action, actor and time', async () => {
    const created = await read(owner.client, { filter: { action: 'api_key.create' } });
    expect(created.totalCount).toBe(5);
    expect(created.edges.map((e) => e.node.details)).toMatchObject([{ name: 'e' }, { name: 'd' }, { name: 'c' }, { name: 'b' }, { name: 'a' }]);

    const byAdmin = await read(owner.client, { filter: { actorId: admin.userId } });
    expect(byAdmin.edges.map((e) => e.node.action)).toEqual(['project.settings_change', 'api_key.create', 'api_key.create']);
    const both = await read(owner.client, { filter: { actorId: admin.userId, action: 'api_key.create' }, first: 1 });
    expect(both).toMatchObject({ totalCount: 2, pageInfo: { hasNextPage: true } });

    const rows = await projectRows(t, projectId);
    const pivot = rows[4]!.at;
    const from = await read(owner.client, { filter: { from: pivot.toISOString() } });
    expect(from.edges.every((e) => new Date(e.node.at) >= pivot)).toBe(true);
    const to = await read(owner.client, { filter: { to: pivot.toISOString() } });
    expect(to.edges.every((e) => new Date(e.node.at) < pivot)).toBe(true);
    expect(from.totalCount + to.totalCount).toBe(9);
    expect(from.totalCount).toBeGreaterThan(0);

    expect((await read(owner.client, { filter: { action: 'no.such.action' } })).edges).toEqual([]);
  });

  it('refuses bad page arguments as BAD_USER_INPUT', async () => {
    expectCode(await owner.client.gql(GQL.auditLog, { p: projectId, first: 0 }), 'BAD_USER_INPUT');
    expectCode(await owner.client.gql(GQL.auditLog, { p: projectId, first: 201 }), 'BAD_USER_INPUT');
    expectCode(await owner.client.gql(GQL.auditLog, { p: projectId, after: 'not-a-cursor' }), 'BAD_USER_INPUT');
    const huge = Buffer.from('audit:9999999999999999999').toString('base64url');
    expectCode(await owner.client.gql(GQL.auditLog, { p: projectId, after: huge }), 'BAD_USER_INPUT');
  });

  it('is ADMIN+: a VIEWER gets FORBIDDEN, an outsider no project and FORBIDDEN, anonymous UNAUTHENTICATED', async () => {
    const LOG = 'query($p: ID!) { project(id: $p) { auditLog { totalCount } } }';
    const refused = await viewer.client.gql(LOG, { p: projectId });
    expect(refused.errors?.map((e) => [e.extensions?.code, e.path?.join('.')])).toEqual([['FORBIDDEN', 'project.auditLog']]);
    expect(refused.data.project).toBeNull();
    expectCode(await viewer.client.gql(GQL.verify, { p: projectId }), 'FORBIDDEN');

    const outsider = await t.signUp('Outsider');
    expect(ok(await outsider.client.gql(LOG, { p: projectId })).project).toBeNull();
    expectCode(await outsider.client.gql(GQL.verify, { p: projectId }), 'FORBIDDEN');
    expectCode(await t.anonymous().gql(GQL.verify, { p: projectId }), 'UNAUTHENTICATED');
    // The VIEWER still reads the rest of the project.
    expect(ok(await viewer.client.gql('query($p: ID!) { project(id: $p) { id } }', { p: projectId })).project.id).toBe(projectId);
  });

  it('verifyAuditLog: an ADMIN checks the whole chain', async () => {
    expect(ok(await admin.client.gql(GQL.verify, { p: projectId })).verifyAuditLog).toEqual({ ok: true, checked: 9, firstBrokenId: null });
  });
});
