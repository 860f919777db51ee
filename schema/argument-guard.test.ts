import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, TEST_PASSWORD, uniqueEmail, type GraphQLResponse, type TestApp, type TestClient } from '../server/testing/test-app';

// The reproductions of issue 10 (points 4 and 5), each of which answered INTERNAL_SERVER_ERROR:
// text the database cannot store (NUL, lone surrogates) in ordinary arguments, forged page
// cursors, and malformed ids. They are refused at the edge (schema/argument-guard.ts) with
// BAD_USER_INPUT. schema/hostile-input.test.ts sends every class to every argument.

const NUL = 'bad\u0000value';
const LONE = 'bad\ud800value';
const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

function expectBadInput(res: GraphQLResponse, argument?: string): void {
  expect(res.errors, `expected BAD_USER_INPUT, got data ${JSON.stringify(res.data)}`).toBeDefined();
  expect(res.errors!.map((e) => e.extensions?.code)).toEqual(['BAD_USER_INPUT']);
  if (argument) expect(res.errors![0]!.extensions?.field).toBe(argument);
}

describe('the argument guard', () => {
  let t: TestApp;
  let owner: TestClient;
  let ownerId: string;
  let projectId: string;

  beforeAll(async () => {
    t = await createTestApp();
    const p = await t.projectWithKey();
    ({ owner, ownerId, projectId } = p);
  });
  afterAll(() => t.close());

  it('refuses a NUL or a lone surrogate in every text argument of issue 10', async () => {
    const TRACE = 'query($p: ID!, $id: ID!) { project(id: $p) { trace(id: $id) { id } } }';
    const TRACES = 'query($p: ID!, $f: TraceFilter) { project(id: $p) { traces(filter: $f) { totalCount } } }';
    const AUDIT = 'query($p: ID!, $f: AuditLogFilter) { project(id: $p) { auditLog(filter: $f) { totalCount } } }';
    for (const bad of [NUL, LONE]) {
      expectBadInput(await owner.gql(TRACE, { p: projectId, id: bad }), 'id');
      expectBadInput(await owner.gql(TRACES, { p: projectId, f: { name: bad } }), 'filter.name');
      expectBadInput(await owner.gql(TRACES, { p: projectId, f: { userId: bad } }), 'filter.userId');
      expectBadInput(await owner.gql(TRACES, { p: projectId, f: { tags: ['ok', bad] } }), 'filter.tags[1]');
      expectBadInput(await owner.gql(AUDIT, { p: projectId, f: { action: bad } }), 'filter.action');

      const SIGN_UP = 'mutation($i: SignUpInput!) { signUp(input: $i) { user { id } } }';
      expectBadInput(await t.anonymous().gql(SIGN_UP, { i: { email: uniqueEmail(), password: TEST_PASSWORD, name: bad } }), 'input.name');
      expectBadInput(await t.anonymous().gql(SIGN_UP, { i: { email: `${bad}@example.com`, password: TEST_PASSWORD } }), 'input.email');
      const SIGN_IN = 'mutation($i: SignInInput!) { signIn(input: $i) { user { id } } }';
      expectBadInput(await t.anonymous().gql(SIGN_IN, { i: { email: `${bad}@example.com`, password: TEST_PASSWORD } }), 'input.email');

      expectBadInput(await owner.gql('mutation($n: String!) { createProject(input: { name: $n }) { id } }', { n: bad }), 'input.name');
      expectBadInput(await owner.gql('mutation($p: ID!, $n: String!) { createApiKey(projectId: $p, name: $n) { secret } }', { p: projectId, n: bad }), 'name');
      expectBadInput(await owner.gql('mutation($n: String!) { createPersonalAccessToken(name: $n, readOnly: true) { secret } }', { n: bad }), 'name');
      expectBadInput(
        await owner.gql('mutation($p: ID!, $e: String!) { addProjectMember(projectId: $p, email: $e, role: VIEWER) { role } }', { p: projectId, e: bad }),
        'email',
      );
      const SETTINGS = 'mutation($p: ID!, $i: ProjectSettingsInput!) { updateProjectSettings(projectId: $p, input: $i) { id } }';
      expectBadInput(await owner.gql(SETTINGS, { p: projectId, i: { customPatterns: [{ name: bad, pattern: 'x' }] } }), 'input.customPatterns[0].name');
      expectBadInput(await owner.gql(SETTINGS, { p: projectId, i: { customPatterns: [{ name: 'ok', pattern: bad }] } }), 'input.customPatterns[0].pattern');
    }
    // Nothing of it was stored: no project, key, token, user or setting was made on the way.
    const after = await owner.gql('query($p: ID!) { projects { id } project(id: $p) { apiKeys { name } settings { customPatterns { name } } } }', { p: projectId });
    expect(after.errors).toBeUndefined();
    expect(after.data).toEqual({ projects: [{ id: projectId }], project: { apiKeys: [{ name: 'test key' }], settings: { customPatterns: [] } } });
  });

  it('refuses forged page cursors, whatever they hold', async () => {
    const TRACES = 'query($p: ID!, $after: String) { project(id: $p) { traces(after: $after) { totalCount } } }';
    const AUDIT = 'query($p: ID!, $after: String) { project(id: $p) { auditLog(after: $after) { totalCount } } }';
    const forged = [
      // the reproduction: the earliest date a JavaScript Date holds, far before timestamptz
      b64(['-271821-04-20T00:00:00.000Z', 'x']),
      b64(['trace', '-271821-04-20T00:00:00.000Z', 'x']),
      b64(['trace', '+275760-09-13T00:00:00.000Z', 'x']),
      b64(['trace', '2026-11-01T10:00:00.000Z', 'x\u0000']),
      b64(['2026-11-01T10:00:00.000Z', 'x\u0000']),
      b64(['trace', '2026-11-01T10:00:00.000Z', { id: 'x' }]),
      b64(['audit', '2026-11-01T10:00:00.000Z', 'x']),
      'x'.repeat(5000),
    ];
    for (const after of forged) expectBadInput(await owner.gql(TRACES, { p: projectId, after }), 'after');
    for (const after of [b64(['audit', '99999999999999999999']), b64(['audit', '-1']), b64(['trace', '2026-11-01T10:00:00.000Z', 'x'])]) {
      expectBadInput(await owner.gql(AUDIT, { p: projectId, after }), 'after');
    }
  });

  it('refuses malformed ids as BAD_USER_INPUT, whoever may call the field', async () => {
    // The reproduction: a member leaving (allowed by `self`) with a malformed project id.
    expectBadInput(await owner.gql('mutation($p: ID!, $u: ID!) { removeProjectMember(projectId: $p, userId: $u) }', { p: 'not-a-uuid', u: ownerId }), 'projectId');
    expectBadInput(await owner.gql('mutation($p: ID!, $u: ID!) { removeProjectMember(projectId: $p, userId: $u) }', { p: projectId, u: 'not-a-uuid' }), 'userId');
    expectBadInput(await owner.gql('query($p: ID!) { verifyAuditLog(projectId: $p) { ok } }', { p: "1' or '1'='1" }), 'projectId');
    expectBadInput(await owner.gql('query($p: ID!) { project(id: $p) { auditLog(filter: { actorId: "nobody" }) { totalCount } } }', { p: projectId }), 'filter.actorId');
    expectBadInput(await t.anonymous().gql('mutation { revokeApiKey(id: "123") { id } }'), 'id');
    // A trace id is the client's own choice: anything storable is looked up, and is simply not there.
    const res = await owner.gql('query($p: ID!) { project(id: $p) { trace(id: "not a uuid, and fine") { id } } }', { p: projectId });
    expect(res.errors).toBeUndefined();
    expect(res.data.project.trace).toBeNull();
  });

  it('refuses dates that do not exist or that the database cannot hold', async () => {
    const USAGE = 'query($p: ID!, $from: DateTime!) { project(id: $p) { usage(from: $from, to: "2026-12-01T00:00:00Z", bucket: DAY) { series { spans } } } }';
    for (const from of ['2026-02-30T00:00:00Z', '2026-13-01T00:00:00Z', '2026-11-01T24:00:00Z', '0000-01-01T00:00:00Z', '2026-11-01T00:00:00+99:00']) {
      const res = await owner.gql(USAGE, { p: projectId, from });
      expect(res.errors?.map((e) => e.extensions?.code), from).toEqual(['BAD_USER_INPUT']);
    }
  });
});
