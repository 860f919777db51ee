import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, INGEST, span, type TestApp, type TestClient } from '../testing/test-app';

// Sessions and end users (issue 16): aggregates of the traces that share a sessionId or a
// userId, pages of them by latest activity, a session's traces in order, and who may read them.

const SESSIONS = `query($p: ID!, $filter: SessionFilter, $first: Int, $after: String) {
  project(id: $p) { sessions(filter: $filter, first: $first, after: $after) {
    edges { cursor node { id traceCount totalTokens totalCostUsd unpricedTraces errorCount errorTraces userIds firstStartTime lastStartTime lastEndTime durationMs } }
    pageInfo { hasNextPage endCursor } } }
}`;

const USERS = `query($p: ID!, $filter: EndUserFilter, $first: Int, $after: String) {
  project(id: $p) { endUsers(filter: $filter, first: $first, after: $after) {
    edges { node { id traceCount sessionCount totalTokens totalCostUsd errorCount lastStartTime } }
    pageInfo { hasNextPage endCursor } } }
}`;

// Session s-a: three turns of user u1 (one failed, one with an unpriced model); s-b: one turn
// of u2; s-c: two turns, u1 then u3. A trace without a session belongs to no session.
const TURNS = [
  { trace: 'a1', session: 's-a', user: 'u1', at: '2026-11-04T10:00:00.000Z', model: 'gpt-4o-mini', error: false },
  { trace: 'a2', session: 's-a', user: 'u1', at: '2026-11-04T10:01:00.000Z', model: 'acme-llm-9000', error: false },
  { trace: 'a3', session: 's-a', user: 'u1', at: '2026-11-04T10:02:00.000Z', model: 'gpt-4o-mini', error: true },
  { trace: 'b1', session: 's-b', user: 'u2', at: '2026-11-04T11:00:00.000Z', model: 'gpt-4o-mini', error: false },
  { trace: 'c1', session: 's-c', user: 'u1', at: '2026-11-04T09:00:00.000Z', model: 'gpt-4o-mini', error: false },
  { trace: 'c2', session: 's-c', user: 'u3', at: '2026-11-04T12:00:00.000Z', model: 'gpt-4o-mini', error: false },
  { trace: 'n1', session: null, user: 'u2', at: '2026-11-04T12:30:00.000Z', model: 'gpt-4o-mini', error: false },
];

describe('sessions and end users', () => {
  let t: TestApp;
  let owner: TestClient;
  let projectId: string;

  beforeAll(async () => {
    t = await createTestApp();
    const p = await t.projectWithKey();
    owner = p.owner;
    projectId = p.projectId;
    const spans = TURNS.map((turn) =>
      span({
        id: `${turn.trace}-g`,
        traceId: turn.trace,
        model: turn.model,
        promptTokens: 100,
        completionTokens: 20,
        startTime: turn.at,
        endTime: new Date(Date.parse(turn.at) + 1500).toISOString(),
        status: turn.error ? 'ERROR' : 'OK',
        trace: { name: `turn ${turn.trace}`, userId: turn.user, ...(turn.session ? { sessionId: turn.session } : {}) },
      }),
    );
    const res = await p.ingest.gql(INGEST, { spans });
    expect(res.data.ingest.rejected).toEqual([]);
  });
  afterAll(() => t.close());

  it('lists sessions by latest activity with their aggregates', async () => {
    const res = await owner.gql(SESSIONS, { p: projectId });
    expect(res.errors).toBeUndefined();
    const nodes = res.data.project.sessions.edges.map((e: { node: Record<string, unknown> }) => e.node);
    expect(nodes.map((n: { id: string }) => n.id)).toEqual(['s-c', 's-b', 's-a']);
    const a = nodes.find((n: { id: string }) => n.id === 's-a');
    expect(a).toMatchObject({
      traceCount: 3,
      totalTokens: 360,
      unpricedTraces: 1,
      errorCount: 1,
      errorTraces: 1,
      userIds: ['u1'],
      firstStartTime: '2026-11-04T10:00:00.000Z',
      lastStartTime: '2026-11-04T10:02:00.000Z',
      lastEndTime: '2026-11-04T10:02:01.500Z',
      durationMs: 121_500,
    });
    expect(a.totalCostUsd).toBeGreaterThan(0);
    expect(nodes.find((n: { id: string }) => n.id === 's-c').userIds).toEqual(['u1', 'u3']);
  });

  it('pages sessions one at a time without gaps, and filters them', async () => {
    const seen: string[] = [];
    let after: string | null = null;
    for (let i = 0; i < 5; i++) {
      const page: any = (await owner.gql(SESSIONS, { p: projectId, first: 1, after })).data.project.sessions;
      seen.push(...page.edges.map((e: { node: { id: string } }) => e.node.id));
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
    }
    expect(seen).toEqual(['s-c', 's-b', 's-a']);
    const ids = async (filter: Record<string, unknown>) =>
      (await owner.gql(SESSIONS, { p: projectId, filter })).data.project.sessions.edges.map((e: { node: { id: string } }) => e.node.id);
    expect(await ids({ userId: 'u3' })).toEqual(['s-c']);
    expect(await ids({ idContains: 'A' })).toEqual(['s-a']);
    // The window counts only the traces inside it: s-c keeps one of its two.
    const windowed = (await owner.gql(SESSIONS, { p: projectId, filter: { from: '2026-11-04T08:00:00Z', to: '2026-11-04T10:30:00Z' } })).data.project.sessions.edges;
    expect(windowed.map((e: { node: { id: string; traceCount: number } }) => [e.node.id, e.node.traceCount])).toEqual([
      ['s-a', 3],
      ['s-c', 1],
    ]);
    const bad = await owner.gql(SESSIONS, { p: projectId, after: 'nonsense' });
    expect(bad.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('opens a session as its traces in the order they started', async () => {
    const res = await owner.gql(
      `query($p: ID!) { project(id: $p) { session(id: "s-a") { id traceCount traces(first: 2) { edges { node { id name } } pageInfo { hasNextPage endCursor } } } missing: session(id: "nope") { id } } }`,
      { p: projectId },
    );
    expect(res.errors).toBeUndefined();
    expect(res.data.project.session.traces.edges.map((e: { node: { id: string } }) => e.node.id)).toEqual(['a1', 'a2']);
    expect(res.data.project.session.traces.pageInfo.hasNextPage).toBe(true);
    expect(res.data.project.missing).toBeNull();
  });

  it('lists end users with traces, sessions, tokens, cost and errors', async () => {
    const res = await owner.gql(USERS, { p: projectId });
    expect(res.errors).toBeUndefined();
    const nodes = res.data.project.endUsers.edges.map((e: { node: Record<string, unknown> }) => e.node);
    expect(nodes.map((n: { id: string }) => n.id)).toEqual(['u2', 'u3', 'u1']);
    expect(nodes.find((n: { id: string }) => n.id === 'u1')).toMatchObject({ traceCount: 4, sessionCount: 2, totalTokens: 480, errorCount: 1 });
    expect(nodes.find((n: { id: string }) => n.id === 'u2')).toMatchObject({ traceCount: 2, sessionCount: 1, lastStartTime: '2026-11-04T12:30:00.000Z' });
    const one = await owner.gql(`query($p: ID!) { project(id: $p) { endUser(id: "u2") { id traceCount traces(first: 5) { edges { node { id } } } } } }`, { p: projectId });
    expect(one.data.project.endUser.traces.edges.map((e: { node: { id: string } }) => e.node.id)).toEqual(['n1', 'b1']);
  });

  it('is open to viewers and closed to non-members and ingest keys', async () => {
    const viewer = await t.signUp('Viewer');
    const outsider = await t.signUp('Outsider');
    const add = await owner.gql('mutation($p: ID!, $e: String!) { addProjectMember(projectId: $p, email: $e, role: VIEWER) { role } }', { p: projectId, e: viewer.email });
    expect(add.errors).toBeUndefined();
    expect((await viewer.client.gql(SESSIONS, { p: projectId })).data.project.sessions.edges).toHaveLength(3);
    expect((await viewer.client.gql(USERS, { p: projectId })).data.project.endUsers.edges).toHaveLength(3);
    expect((await outsider.client.gql(SESSIONS, { p: projectId })).data.project).toBeNull();
  });
});
