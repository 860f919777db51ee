import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findAuditPage } from '../db/repositories/audit-log';
import { expectCode } from '../testing/audit-helpers';
import { createTestApp, INGEST, span, TestClient, type TestApp } from '../testing/test-app';

// Erasure of one end user: exactly that user's traces (and their spans) go, in this project
// only; the audit entry holds the counts and the userId's hash, never the id.

const ERASE = 'mutation($p: ID!, $u: String!) { eraseEndUser(projectId: $p, userId: $u) { traces spans } }';
const TRACE_IDS = 'query($p: ID!) { project(id: $p) { traces(first: 100) { edges { node { id userId spanCount } } } } }';

describe('eraseEndUser', () => {
  let t: TestApp;
  let p: Awaited<ReturnType<TestApp['projectWithKey']>>;
  let other: Awaited<ReturnType<TestApp['projectWithKey']>>;

  const traceSpans = (traceId: string, userId: string | null, n: number) =>
    Array.from({ length: n }, (_, i) => span({ id: `${traceId}-${i}`, traceId, ...(i === 0 && userId ? { trace: { userId } } : {}) }));

  beforeAll(async () => {
    t = await createTestApp();
    p = await t.projectWithKey();
    other = await t.projectWithKey();
    const res = await p.ingest.gql(INGEST, {
      spans: [
        ...traceSpans('alice-1', 'alice@example.com', 1),
        ...traceSpans('alice-2', 'alice@example.com', 2),
        ...traceSpans('alice-3', 'alice@example.com', 2),
        ...traceSpans('bob-1', 'bob', 2),
        // Prefix and case look-alikes are other users.
        ...traceSpans('alice-like', 'Alice@example.com', 1),
        ...traceSpans('anon', null, 1),
      ],
    });
    expect(res.data.ingest.rejected).toEqual([]);
    expect((await other.ingest.gql(INGEST, { spans: traceSpans('alice-elsewhere', 'alice@example.com', 1) })).data.ingest.accepted).toBe(1);
  });
  afterAll(() => t.close());

  const traces = async (client: TestClient, projectId: string) =>
    (await client.gql(TRACE_IDS, { p: projectId })).data.project.traces.edges.map((e: { node: { id: string } }) => e.node.id).sort();

  it('is ADMIN+ only: a VIEWER, a read-only token and an ingest key are refused, and nothing is deleted', async () => {
    const viewer = await t.signUp('Viewer');
    await p.owner.gql('mutation($p: ID!, $e: String!) { addProjectMember(projectId: $p, email: $e, role: VIEWER) { role } }', { p: p.projectId, e: viewer.email });
    expectCode(await viewer.client.gql(ERASE, { p: p.projectId, u: 'alice@example.com' }), 'FORBIDDEN');
    const token = await p.owner.gql('mutation { createPersonalAccessToken(name: "ro", readOnly: true) { secret } }');
    expectCode(await new TestClient(t.app, token.data.createPersonalAccessToken.secret).gql(ERASE, { p: p.projectId, u: 'alice@example.com' }), 'FORBIDDEN');
    expectCode(await p.ingest.gql(ERASE, { p: p.projectId, u: 'alice@example.com' }), 'FORBIDDEN');
    expectCode(await p.owner.gql(ERASE, { p: p.projectId, u: '  ' }), 'BAD_USER_INPUT');
    expect(await traces(p.owner, p.projectId)).toHaveLength(6);
  });

  it('deletes exactly that user’s traces and spans, in this project only', async () => {
    const res = await p.owner.gql(ERASE, { p: p.projectId, u: 'alice@example.com' });
    expect(res.errors).toBeUndefined();
    expect(res.data.eraseEndUser).toEqual({ traces: 3, spans: 5 });
    expect(await traces(p.owner, p.projectId)).toEqual(['alice-like', 'anon', 'bob-1']);
    const spansLeft = await t.app.deps.db.selectFrom('spans').select('trace_id').where('project_id', '=', p.projectId).execute();
    expect(spansLeft.filter((s) => s.trace_id.startsWith('alice-')).map((s) => s.trace_id)).toEqual(['alice-like']);
    expect(await traces(other.owner, other.projectId)).toEqual(['alice-elsewhere']);
  });

  it('is audited with the counts and the userId’s hash, never the id', async () => {
    const [entry] = await findAuditPage(t.app.deps.db, p.projectId, { action: 'end_user.erase' }, null, 1);
    const hash = `sha256:${createHash('sha256').update(`${p.projectId}:alice@example.com`).digest('hex')}`;
    expect(entry).toMatchObject({ target_type: 'end_user', details: { userIdHash: hash, traces: 3, spans: 5 } });
    expect(JSON.stringify(entry)).not.toContain('alice');
  });

  it('erasing a user with no traces deletes nothing and is still recorded', async () => {
    const res = await p.owner.gql(ERASE, { p: p.projectId, u: 'nobody' });
    expect(res.data.eraseEndUser).toEqual({ traces: 0, spans: 0 });
    expect(await findAuditPage(t.app.deps.db, p.projectId, { action: 'end_user.erase' }, null, 5)).toHaveLength(2);
  });
});
