import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, INGEST, span, TestClient, type GraphQLResponse, type TestApp } from '../testing/test-app';

// Roles per project, through the public GraphQL contract: who may change members, settings,
// keys and the project itself, and what each role reads. The rules live partly on the schema
// (scope-auth) and partly in services/projects.ts (OWNER-only changes, the last OWNER), so they
// are tested from the outside, as a dashboard or integration would meet them.

const CREATE_PROJECT = 'mutation($name: String!) { createProject(input: { name: $name }) { id name viewerRole } }';
const ADD_MEMBER = `mutation($p: ID!, $email: String!, $role: Role!) {
  addProjectMember(projectId: $p, email: $email, role: $role) { role user { id } }
}`;
const UPDATE_ROLE = `mutation($p: ID!, $u: ID!, $role: Role!) {
  updateProjectMemberRole(projectId: $p, userId: $u, role: $role) { role user { id } }
}`;
const REMOVE_MEMBER = 'mutation($p: ID!, $u: ID!) { removeProjectMember(projectId: $p, userId: $u) }';
const MEMBERS = 'query($p: ID!) { project(id: $p) { members { role user { id } } } }';
const UPDATE_SETTINGS = `mutation($p: ID!, $input: ProjectSettingsInput!) {
  updateProjectSettings(projectId: $p, input: $input) { id settings { contentVisibility } }
}`;
const CREATE_KEY = 'mutation($p: ID!) { createApiKey(projectId: $p, name: "k") { secret apiKey { id } } }';
const DELETE_PROJECT = 'mutation($p: ID!) { deleteProject(projectId: $p) }';

type Role = 'OWNER' | 'ADMIN' | 'VIEWER';

interface Member {
  client: TestClient;
  userId: string;
  email: string;
}

function codes(res: GraphQLResponse): (string | undefined)[] {
  return (res.errors ?? []).map((e) => e.extensions?.code);
}

/** The response failed with exactly this code (and nothing else went wrong). */
function expectRefusal(res: GraphQLResponse, code: string) {
  expect(res.errors, `expected ${code}, got data ${JSON.stringify(res.data)}`).toBeDefined();
  expect(codes(res)).toEqual([code]);
}

function ok<T = any>(res: GraphQLResponse<T>): T {
  expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
  return res.data;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls until `done()` holds or the time is up; the caller asserts afterwards. */
async function waitUntil(done: () => boolean, step: () => Promise<unknown> = async () => {}, timeoutMs = 5_000) {
  const until = Date.now() + timeoutMs;
  while (!done() && Date.now() < until) {
    await step();
    await sleep(50);
  }
}

interface LiveTail {
  results: { data?: any; errors?: unknown[] }[];
  ended: () => boolean;
  close: () => void;
}

/** Opens `spanIngested` as GraphQL over SSE, as the dashboard does, and collects what arrives. */
async function openLiveTail(t: TestApp, client: TestClient, projectId: string, selection: string): Promise<LiveTail> {
  const abort = new AbortController();
  const res = await t.app.yoga.fetch('http://localhost:4000/graphql', {
    method: 'POST',
    signal: abort.signal,
    headers: { 'content-type': 'application/json', accept: 'text/event-stream', ...(client.cookie ? { cookie: client.cookie } : {}) },
    body: JSON.stringify({ query: `subscription($p: ID!) { spanIngested(projectId: $p) ${selection} }`, variables: { p: projectId } }),
  });
  if (!res.body) throw new Error('the live tail has no body');
  const results: LiveTail['results'] = [];
  let ended = false;
  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
  void (async () => {
    let buffer = '';
    for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) {
      buffer += chunk.value;
      for (let i = buffer.indexOf('\n\n'); i >= 0; i = buffer.indexOf('\n\n')) {
        const lines = buffer.slice(0, i).split('\n');
        buffer = buffer.slice(i + 2);
        if (lines.includes('event: complete')) ended = true;
        const data = lines.filter((l) => l.startsWith('data:')).map((l) => l.slice(5).trim()).join('');
        if (data) results.push(JSON.parse(data));
      }
    }
    ended = true;
  })().catch(() => {
    ended = true;
  });
  return { results, ended: () => ended, close: () => abort.abort() };
}

describe('project roles', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  async function createProject(owner: Member, name = 'roles project'): Promise<string> {
    return ok(await owner.client.gql(CREATE_PROJECT, { name })).createProject.id as string;
  }

  async function add(by: Member, projectId: string, who: Member, role: Role) {
    return by.client.gql(ADD_MEMBER, { p: projectId, email: who.email, role });
  }

  async function rolesOf(reader: Member, projectId: string): Promise<Record<string, Role>> {
    const members = ok(await reader.client.gql(MEMBERS, { p: projectId })).project.members as { role: Role; user: { id: string } }[];
    return Object.fromEntries(members.map((m) => [m.user.id, m.role]));
  }

  /** A project with one OWNER, one ADMIN and one VIEWER. */
  async function team() {
    const owner = await t.signUp('Owner');
    const admin = await t.signUp('Admin');
    const viewer = await t.signUp('Viewer');
    const projectId = await createProject(owner);
    ok(await add(owner, projectId, admin, 'ADMIN'));
    ok(await add(owner, projectId, viewer, 'VIEWER'));
    return { owner, admin, viewer, projectId };
  }

  it('makes the creator of a project its OWNER', async () => {
    const owner = await t.signUp();
    const created = ok(await owner.client.gql(CREATE_PROJECT, { name: '  My project  ' })).createProject;
    expect(created).toEqual({ id: expect.any(String), name: 'My project', viewerRole: 'OWNER' });
    expect(await rolesOf(owner, created.id)).toEqual({ [owner.userId]: 'OWNER' });
    const listed = ok(await owner.client.gql('{ projects { id viewerRole } }')).projects;
    expect(listed).toEqual([{ id: created.id, viewerRole: 'OWNER' }]);
  });

  it('adds an existing account by e-mail with the given role', async () => {
    const owner = await t.signUp();
    const other = await t.signUp();
    const projectId = await createProject(owner);

    // E-mail addresses are matched as the account stores them: trimmed and case-insensitive.
    const added = ok(
      await owner.client.gql(ADD_MEMBER, { p: projectId, email: ` ${other.email.toUpperCase()} `, role: 'VIEWER' }),
    ).addProjectMember;
    expect(added).toEqual({ role: 'VIEWER', user: { id: other.userId } });
    const seen = ok(await other.client.gql('query($p: ID!) { project(id: $p) { id viewerRole } }', { p: projectId }));
    expect(seen.project).toEqual({ id: projectId, viewerRole: 'VIEWER' });

    expectRefusal(await add(owner, projectId, other, 'ADMIN'), 'CONFLICT');
    expectRefusal(
      await owner.client.gql(ADD_MEMBER, { p: projectId, email: 'nobody-here@example.com', role: 'VIEWER' }),
      'NOT_FOUND',
    );
  });

  it('lets an ADMIN add, change and remove ADMINs and VIEWERs', async () => {
    const { owner, admin, projectId } = await team();
    const a2 = await t.signUp();
    const v2 = await t.signUp();

    expect(ok(await add(admin, projectId, a2, 'ADMIN')).addProjectMember.role).toBe('ADMIN');
    expect(ok(await add(admin, projectId, v2, 'VIEWER')).addProjectMember.role).toBe('VIEWER');
    expect(ok(await admin.client.gql(UPDATE_ROLE, { p: projectId, u: v2.userId, role: 'ADMIN' })).updateProjectMemberRole.role).toBe(
      'ADMIN',
    );
    expect(ok(await admin.client.gql(UPDATE_ROLE, { p: projectId, u: a2.userId, role: 'VIEWER' })).updateProjectMemberRole.role).toBe(
      'VIEWER',
    );
    expect(ok(await admin.client.gql(REMOVE_MEMBER, { p: projectId, u: a2.userId })).removeProjectMember).toBe(true);
    expect(ok(await admin.client.gql(REMOVE_MEMBER, { p: projectId, u: v2.userId })).removeProjectMember).toBe(true);

    const roles = await rolesOf(owner, projectId);
    expect(roles[a2.userId]).toBeUndefined();
    expect(roles[v2.userId]).toBeUndefined();
  });

  it('refuses an ADMIN anything that makes, changes or removes an OWNER', async () => {
    const { owner, admin, viewer, projectId } = await team();
    const outsider = await t.signUp();

    expectRefusal(await add(admin, projectId, outsider, 'OWNER'), 'FORBIDDEN');
    expectRefusal(await admin.client.gql(UPDATE_ROLE, { p: projectId, u: owner.userId, role: 'ADMIN' }), 'FORBIDDEN');
    expectRefusal(await admin.client.gql(UPDATE_ROLE, { p: projectId, u: owner.userId, role: 'VIEWER' }), 'FORBIDDEN');
    expectRefusal(await admin.client.gql(REMOVE_MEMBER, { p: projectId, u: owner.userId }), 'FORBIDDEN');
    // Nor may an ADMIN make anyone an OWNER, themself included.
    expectRefusal(await admin.client.gql(UPDATE_ROLE, { p: projectId, u: viewer.userId, role: 'OWNER' }), 'FORBIDDEN');
    expectRefusal(await admin.client.gql(UPDATE_ROLE, { p: projectId, u: admin.userId, role: 'OWNER' }), 'FORBIDDEN');

    expect(await rolesOf(owner, projectId)).toEqual({
      [owner.userId]: 'OWNER',
      [admin.userId]: 'ADMIN',
      [viewer.userId]: 'VIEWER',
    });
  });

  it('lets an OWNER add, demote and remove another OWNER', async () => {
    const { owner, admin, projectId } = await team();
    const second = await t.signUp();
    const third = await t.signUp();

    expect(ok(await add(owner, projectId, second, 'OWNER')).addProjectMember.role).toBe('OWNER');
    expect(ok(await owner.client.gql(UPDATE_ROLE, { p: projectId, u: admin.userId, role: 'OWNER' })).updateProjectMemberRole.role).toBe(
      'OWNER',
    );
    expect(ok(await owner.client.gql(UPDATE_ROLE, { p: projectId, u: second.userId, role: 'VIEWER' })).updateProjectMemberRole.role).toBe(
      'VIEWER',
    );
    expect(ok(await add(owner, projectId, third, 'OWNER')).addProjectMember.role).toBe('OWNER');
    expect(ok(await owner.client.gql(REMOVE_MEMBER, { p: projectId, u: third.userId })).removeProjectMember).toBe(true);

    expect(await rolesOf(owner, projectId)).toMatchObject({
      [owner.userId]: 'OWNER',
      [admin.userId]: 'OWNER',
      [second.userId]: 'VIEWER',
    });
  });

  it('keeps the last OWNER: they can be neither demoted nor removed, not even by themself', async () => {
    const { owner, admin, projectId } = await team();

    for (const role of ['ADMIN', 'VIEWER'] as const) {
      const res = await owner.client.gql(UPDATE_ROLE, { p: projectId, u: owner.userId, role });
      expectRefusal(res, 'BAD_USER_INPUT');
      expect(res.errors?.[0]?.message).toMatch(/at least one OWNER/);
    }
    const removed = await owner.client.gql(REMOVE_MEMBER, { p: projectId, u: owner.userId });
    expectRefusal(removed, 'BAD_USER_INPUT');
    expect(removed.errors?.[0]?.message).toMatch(/last OWNER/);

    // With a second OWNER the first may step down; then the second is the last one.
    ok(await owner.client.gql(UPDATE_ROLE, { p: projectId, u: admin.userId, role: 'OWNER' }));
    expect(ok(await owner.client.gql(UPDATE_ROLE, { p: projectId, u: owner.userId, role: 'ADMIN' })).updateProjectMemberRole.role).toBe(
      'ADMIN',
    );
    expectRefusal(await admin.client.gql(UPDATE_ROLE, { p: projectId, u: admin.userId, role: 'ADMIN' }), 'BAD_USER_INPUT');
    expectRefusal(await admin.client.gql(REMOVE_MEMBER, { p: projectId, u: admin.userId }), 'BAD_USER_INPUT');
    // Setting an OWNER to OWNER again is not a demotion.
    expect(ok(await admin.client.gql(UPDATE_ROLE, { p: projectId, u: admin.userId, role: 'OWNER' })).updateProjectMemberRole.role).toBe(
      'OWNER',
    );
  });

  it('keeps one OWNER when two OWNERs demote each other at the same time', async () => {
    const { owner, admin, projectId } = await team();
    ok(await owner.client.gql(UPDATE_ROLE, { p: projectId, u: admin.userId, role: 'OWNER' }));

    // On Postgres these run on two connections; the owner rows are locked, so the second
    // demotion sees the first one's result: its caller is no longer an OWNER (FORBIDDEN) or
    // its target is the last one (BAD_USER_INPUT), depending on timing. Either way one stays.
    const results = await Promise.all([
      owner.client.gql(UPDATE_ROLE, { p: projectId, u: admin.userId, role: 'ADMIN' }),
      admin.client.gql(UPDATE_ROLE, { p: projectId, u: owner.userId, role: 'ADMIN' }),
    ]);
    const outcomes = results.map((r) => codes(r)[0] ?? 'OK');
    expect(outcomes.filter((o) => o === 'OK')).toHaveLength(1);
    expect(['FORBIDDEN', 'BAD_USER_INPUT']).toContain(outcomes.find((o) => o !== 'OK'));
    const roles = Object.values(await rolesOf(owner, projectId));
    expect(roles.filter((r) => r === 'OWNER')).toHaveLength(1);
  });

  it('refuses a VIEWER every mutation of the project with FORBIDDEN, but lets them leave', async () => {
    const { owner, admin, viewer, projectId } = await team();
    const outsider = await t.signUp();
    const key = ok(await owner.client.gql(CREATE_KEY, { p: projectId })).createApiKey;

    const attempts: [string, () => Promise<GraphQLResponse>][] = [
      ['updateProjectSettings', () => viewer.client.gql(UPDATE_SETTINGS, { p: projectId, input: { piiRedaction: true } })],
      ['addProjectMember', () => add(viewer, projectId, outsider, 'VIEWER')],
      ['createApiKey', () => viewer.client.gql(CREATE_KEY, { p: projectId })],
      // Promoting themself would be the escalation path: refused like any other change.
      ['updateProjectMemberRole', () => viewer.client.gql(UPDATE_ROLE, { p: projectId, u: viewer.userId, role: 'ADMIN' })],
      ['removeProjectMember', () => viewer.client.gql(REMOVE_MEMBER, { p: projectId, u: admin.userId })],
      ['rotateApiKey', () => viewer.client.gql('mutation($id: ID!) { rotateApiKey(id: $id) { secret } }', { id: key.apiKey.id })],
      ['revokeApiKey', () => viewer.client.gql('mutation($id: ID!) { revokeApiKey(id: $id) { id } }', { id: key.apiKey.id })],
      ['deleteProject', () => viewer.client.gql(DELETE_PROJECT, { p: projectId })],
    ];
    for (const [name, attempt] of attempts) {
      const res = await attempt();
      expect(codes(res), name).toEqual(['FORBIDDEN']);
      expect(res.data?.[name] ?? null, name).toBeNull();
    }
    expect(await rolesOf(owner, projectId)).toEqual({
      [owner.userId]: 'OWNER',
      [admin.userId]: 'ADMIN',
      [viewer.userId]: 'VIEWER',
    });

    // Leaving is the one change a member may make on their own behalf.
    expect(ok(await viewer.client.gql(REMOVE_MEMBER, { p: projectId, u: viewer.userId })).removeProjectMember).toBe(true);
    expect(ok(await viewer.client.gql('query($p: ID!) { project(id: $p) { id } }', { p: projectId })).project).toBeNull();
  });

  it('lets a VIEWER read traces but not the API keys', async () => {
    const { owner, viewer, projectId } = await team();
    const { secret } = ok(await owner.client.gql(CREATE_KEY, { p: projectId })).createApiKey;
    const ingest = new TestClient(t.app, secret);
    ok(await ingest.gql(INGEST, { spans: [span({ traceId: 'viewer-trace' }), span({ traceId: 'viewer-trace' })] }));

    const traces = ok(
      await viewer.client.gql('query($p: ID!) { project(id: $p) { traces { edges { node { id spanCount } } } } }', { p: projectId }),
    );
    expect(traces.project.traces.edges).toEqual([{ node: { id: 'viewer-trace', spanCount: 2 } }]);

    const keys = await viewer.client.gql('query($p: ID!) { project(id: $p) { id apiKeys { id } } }', { p: projectId });
    expect(codes(keys)).toEqual(['FORBIDDEN']);
    expect(keys.errors?.[0]?.path).toEqual(['project', 'apiKeys']);
  });

  it("shows members' e-mail addresses to ADMIN+ and to each member their own only", async () => {
    const { owner, admin, viewer, projectId } = await team();
    const query = 'query($p: ID!) { project(id: $p) { members { user { id email } } } }';

    const seenByAdmin = ok(await admin.client.gql(query, { p: projectId })).project.members.map((m: any) => m.user);
    expect(seenByAdmin).toEqual(
      expect.arrayContaining([
        { id: owner.userId, email: owner.email },
        { id: admin.userId, email: admin.email },
        { id: viewer.userId, email: viewer.email },
      ]),
    );
    expect(seenByAdmin).toHaveLength(3);

    // Each refused address costs only itself: null, with a FORBIDDEN error at its path.
    const seenByViewer = await viewer.client.gql(query, { p: projectId });
    const users = seenByViewer.data.project.members.map((m: any) => m.user) as { id: string; email: string | null }[];
    expect(users).toEqual(
      expect.arrayContaining([
        { id: owner.userId, email: null },
        { id: admin.userId, email: null },
        { id: viewer.userId, email: viewer.email },
      ]),
    );
    expect(users).toHaveLength(3);
    const refused = users.flatMap((u, i) => (u.id === viewer.userId ? [] : [['project', 'members', i, 'user', 'email']]));
    expect(seenByViewer.errors?.map((e) => e.path)).toEqual(expect.arrayContaining(refused));
    expect(seenByViewer.errors).toHaveLength(2);
    expect(codes(seenByViewer)).toEqual(['FORBIDDEN', 'FORBIDDEN']);
    expect(JSON.stringify(seenByViewer)).not.toContain(owner.email);
    expect(JSON.stringify(seenByViewer)).not.toContain(admin.email);

    expect(ok(await viewer.client.gql('{ viewer { id email } }')).viewer).toEqual({ id: viewer.userId, email: viewer.email });
  });

  it('hides a project from a non-member', async () => {
    const { projectId } = await team();
    const outsider = await t.signUp();
    const own = await createProject(outsider, 'their own');

    const res = ok(await outsider.client.gql('query($p: ID!) { project(id: $p) { id name } projects { id } }', { p: projectId }));
    expect(res.project).toBeNull();
    expect(res.projects).toEqual([{ id: own }]);
    expectRefusal(await add(outsider, projectId, outsider, 'VIEWER'), 'FORBIDDEN');
  });

  it('answers unknown ids as not found and malformed ones as bad input, never as a server error', async () => {
    const { owner, projectId } = await team();
    const missing = '00000000-0000-4000-8000-000000000000';
    expect(ok(await owner.client.gql('query($p: ID!) { project(id: $p) { id } }', { p: missing })).project).toBeNull();
    expectRefusal(await owner.client.gql('query($p: ID!) { project(id: $p) { id } }', { p: 'not-a-uuid' }), 'BAD_USER_INPUT');
    expectRefusal(await owner.client.gql(UPDATE_ROLE, { p: projectId, u: missing, role: 'VIEWER' }), 'NOT_FOUND');
    expectRefusal(await owner.client.gql(UPDATE_ROLE, { p: projectId, u: 'not-a-uuid', role: 'VIEWER' }), 'BAD_USER_INPUT');
    expectRefusal(await owner.client.gql(REMOVE_MEMBER, { p: projectId, u: missing }), 'NOT_FOUND');
    expectRefusal(await owner.client.gql(REMOVE_MEMBER, { p: projectId, u: 'not-a-uuid' }), 'BAD_USER_INPUT');
  });

  it('lets only an OWNER delete a project, and deleting removes its traces and keys', async () => {
    const { owner, admin, projectId } = await team();
    const { secret } = ok(await owner.client.gql(CREATE_KEY, { p: projectId })).createApiKey;
    const ingest = new TestClient(t.app, secret);
    ok(await ingest.gql(INGEST, { spans: [span({ traceId: 'doomed' })] }));

    const byAdmin = await admin.client.gql(DELETE_PROJECT, { p: projectId });
    expectRefusal(byAdmin, 'FORBIDDEN');
    expect(ok(await owner.client.gql('query($p: ID!) { project(id: $p) { id } }', { p: projectId })).project).toEqual({ id: projectId });

    expect(ok(await owner.client.gql(DELETE_PROJECT, { p: projectId })).deleteProject).toBe(true);
    expect(ok(await owner.client.gql('query($p: ID!) { project(id: $p) { id } }', { p: projectId })).project).toBeNull();
    expect(ok(await admin.client.gql('{ projects { id } }')).projects).toEqual([]);

    const { db } = t.app.deps;
    const count = async (table: 'traces' | 'spans' | 'api_keys' | 'project_members') =>
      Number(
        (
          await db
            .selectFrom(table)
            .select((eb) => eb.fn.countAll<string | number>().as('n'))
            .where('project_id', '=', projectId)
            .executeTakeFirstOrThrow()
        ).n,
      );
    expect({
      traces: await count('traces'),
      spans: await count('spans'),
      apiKeys: await count('api_keys'),
      members: await count('project_members'),
    }).toEqual({ traces: 0, spans: 0, apiKeys: 0, members: 0 });
    // The key went with the project: it no longer authenticates at all.
    expectRefusal(await ingest.gql(INGEST, { spans: [span()] }), 'UNAUTHENTICATED');
  });

  it('hides content from a VIEWER when content is ADMINS_ONLY — input, output, error message, span and trace metadata — and nothing else', async () => {
    const { owner, admin, viewer, projectId } = await team();
    const { secret } = ok(await owner.client.gql(CREATE_KEY, { p: projectId })).createApiKey;
    const ingest = new TestClient(t.app, secret);
    ok(
      await ingest.gql(INGEST, {
        spans: [
          span({
            traceId: 'secret-trace',
            name: 'chat',
            status: 'ERROR',
            statusMessage: 'refused: "my card is 4111…"',
            metadata: { question: 'where is my order?' },
            trace: { metadata: { customer: 'ada@example.com' }, userId: 'customer-42' },
          }),
        ],
      }),
    );
    const query = `query($p: ID!) { project(id: $p) {
      trace(id: "secret-trace") { userId metadata spans { name input output totalTokens status statusMessage metadata } }
      traces { edges { node { id metadata } } }
    } }`;
    const spanContent = {
      name: 'chat',
      input: { messages: [{ role: 'user', content: 'hello' }] },
      output: { role: 'assistant', content: 'hi there' },
      totalTokens: 15,
      status: 'ERROR',
      statusMessage: 'refused: "my card is 4111…"',
      metadata: { question: 'where is my order?' },
    };
    const full = {
      trace: { userId: 'customer-42', metadata: { customer: 'ada@example.com' }, spans: [spanContent] },
      traces: { edges: [{ node: { id: 'secret-trace', metadata: { customer: 'ada@example.com' } } }] },
    };
    const hidden = {
      trace: { userId: 'customer-42', metadata: null, spans: [{ ...spanContent, input: null, output: null, statusMessage: null, metadata: null }] },
      traces: { edges: [{ node: { id: 'secret-trace', metadata: null } }] },
    };

    // By default every member reads content.
    expect(ok(await viewer.client.gql(query, { p: projectId })).project).toEqual(full);

    const updated = ok(await admin.client.gql(UPDATE_SETTINGS, { p: projectId, input: { contentVisibility: 'ADMINS_ONLY' } }));
    expect(updated.updateProjectSettings.settings.contentVisibility).toBe('ADMINS_ONLY');

    // A VIEWER gets null for content, with no error: the rest of the trace reads as usual.
    const seenByViewer = await viewer.client.gql(query, { p: projectId });
    expect(seenByViewer.errors).toBeUndefined();
    expect(seenByViewer.data.project).toEqual(hidden);
    expect(ok(await admin.client.gql(query, { p: projectId })).project).toEqual(full);
    expect(ok(await owner.client.gql(query, { p: projectId })).project).toEqual(full);
  });

  it("ends a removed member's live tail", async () => {
    const { owner, viewer, projectId } = await team();
    const { secret } = ok(await owner.client.gql(CREATE_KEY, { p: projectId })).createApiKey;
    const ingest = new TestClient(t.app, secret);
    const tail = await openLiveTail(t, viewer.client, projectId, '{ name }');
    try {
      // The subscription attaches when the stream is first read: ingest until it delivers.
      await waitUntil(() => tail.results.length > 0, () => ingest.gql(INGEST, { spans: [span({ name: 'before' })] }));
      expect(tail.results[0]).toEqual({ data: { spanIngested: { name: 'before' } } });

      ok(await owner.client.gql(REMOVE_MEMBER, { p: projectId, u: viewer.userId }));
      await sleep(1_100); // membership is re-read at most once a second
      ok(await ingest.gql(INGEST, { spans: [span({ name: 'after removal' })] }));
      await waitUntil(tail.ended);
      expect(tail.ended()).toBe(true);
      expect(tail.results.map((r) => r.data?.spanIngested?.name)).not.toContain('after removal');
    } finally {
      tail.close();
    }
  });

  it('applies ADMINS_ONLY to a VIEWER’s open live tail', async () => {
    const { owner, admin, viewer, projectId } = await team();
    const { secret } = ok(await owner.client.gql(CREATE_KEY, { p: projectId })).createApiKey;
    const ingest = new TestClient(t.app, secret);
    const tail = await openLiveTail(t, viewer.client, projectId, '{ name input output statusMessage metadata }');
    const failing = { status: 'ERROR', statusMessage: 'quota exceeded for ada@example.com', metadata: { ticket: 'T-1' } };
    try {
      await waitUntil(() => tail.results.length > 0, () => ingest.gql(INGEST, { spans: [span({ name: 'open', ...failing })] }));
      expect(tail.results[0]?.data?.spanIngested).toMatchObject({
        input: { messages: [{ role: 'user', content: 'hello' }] },
        statusMessage: failing.statusMessage,
        metadata: failing.metadata,
      });

      ok(await admin.client.gql(UPDATE_SETTINGS, { p: projectId, input: { contentVisibility: 'ADMINS_ONLY' } }));
      await sleep(1_100);
      ok(await ingest.gql(INGEST, { spans: [span({ name: 'restricted', ...failing })] }));
      const restricted = () => tail.results.find((r) => r.data?.spanIngested?.name === 'restricted');
      await waitUntil(() => restricted() !== undefined);
      expect(restricted()).toEqual({ data: { spanIngested: { name: 'restricted', input: null, output: null, statusMessage: null, metadata: null } } });
    } finally {
      tail.close();
    }
  });

  it('lets a read-only personal access token read the user’s projects and nothing more', async () => {
    const { owner, projectId } = await team();
    const created = ok(
      await owner.client.gql('mutation { createPersonalAccessToken(name: "ci", readOnly: true) { secret token { readOnly } } }'),
    ).createPersonalAccessToken;
    expect(created.token.readOnly).toBe(true);
    const token = new TestClient(t.app, created.secret);

    const read = ok(await token.gql('query($p: ID!) { projects { id } project(id: $p) { viewerRole } }', { p: projectId }));
    expect(read.projects).toEqual([{ id: projectId }]);
    expect(read.project).toEqual({ viewerRole: 'OWNER' });

    expectRefusal(await token.gql(CREATE_PROJECT, { name: 'from a token' }), 'FORBIDDEN');
    // Read-only wins over the user's OWNER role.
    expectRefusal(await token.gql(UPDATE_SETTINGS, { p: projectId, input: { piiRedaction: true } }), 'FORBIDDEN');
    expectRefusal(await token.gql(CREATE_KEY, { p: projectId }), 'FORBIDDEN');
    expect(ok(await owner.client.gql('{ projects { id } }')).projects).toEqual([{ id: projectId }]);
  });
});
