import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, TestClient, type TestApp } from '../testing/test-app';

// The audit log reads as names (issue 16): targets and actors resolve to e-mails, key names and
// project names, and the actor filter takes an e-mail.

const LOG = `query($p: ID!, $filter: AuditLogFilter) { project(id: $p) { auditLog(filter: $filter, first: 50) { edges { node {
  action targetType targetId targetLabel actor { type id label name } } } } } }`;

describe('audit log names', () => {
  let t: TestApp;
  let owner: TestClient;
  let ownerEmail: string;
  let projectId: string;
  let memberEmail: string;

  beforeAll(async () => {
    t = await createTestApp();
    const o = await t.signUp('Olivia');
    owner = o.client;
    ownerEmail = o.email;
    projectId = (await owner.gql('mutation { createProject(input: { name: "Support bot" }) { id } }')).data.createProject.id;
    await owner.gql('mutation($p: ID!) { createApiKey(projectId: $p, name: "production ingest") { secret } }', { p: projectId });
    const member = await t.signUp('Mia');
    memberEmail = member.email;
    await owner.gql('mutation($p: ID!, $e: String!) { addProjectMember(projectId: $p, email: $e, role: VIEWER) { role } }', { p: projectId, e: memberEmail });
    await owner.gql('mutation($p: ID!, $u: ID!) { updateProjectMemberRole(projectId: $p, userId: $u, role: ADMIN) { role } }', { p: projectId, u: member.userId });
    // A change made through a personal access token.
    const pat = (await owner.gql('mutation { createPersonalAccessToken(name: "ci deploys", readOnly: false) { secret } }')).data.createPersonalAccessToken.secret;
    const viaToken = new TestClient(t.app, pat);
    const made = await viaToken.gql('mutation($p: ID!) { createApiKey(projectId: $p, name: "staging ingest") { secret } }', { p: projectId });
    expect(made.errors).toBeUndefined();
  });
  afterAll(() => t.close());

  async function entries(filter?: Record<string, unknown>) {
    const res = await owner.gql(LOG, { p: projectId, filter });
    expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
    return res.data.project.auditLog.edges.map((e: { node: any }) => e.node) as any[];
  }

  it('names targets: the project, keys by name and prefix, members by e-mail', async () => {
    const all = await entries();
    const by = (action: string) => all.filter((e) => e.action === action);
    expect(by('project.create')[0].targetLabel).toBe('Support bot');
    expect(by('api_key.create').map((e) => e.targetLabel).sort()).toEqual([expect.stringMatching(/^production ingest \(ttk_\w+…\)$/), expect.stringMatching(/^staging ingest \(ttk_\w+…\)$/)]);
    expect(by('member.add')[0].targetLabel).toBe(memberEmail);
    // role_change records no e-mail in its details: the name comes from the user id.
    expect(by('member.role_change')[0].targetLabel).toBe(memberEmail);
  });

  it('names actors: users by e-mail, tokens by owner and name', async () => {
    const all = await entries();
    const byToken = all.find((e) => e.actor.type === 'token');
    expect(byToken.actor.label).toMatch(/\(user [0-9a-f-]{36}\)/);
    expect(byToken.actor.name).toBe(`${ownerEmail} (token ci deploys)`);
    expect(all.find((e) => e.action === 'member.add').actor.name).toBe(ownerEmail);
  });

  it('filters by the e-mail of whoever acted, including through their tokens', async () => {
    const mine = await entries({ actorEmail: ownerEmail.toUpperCase() });
    expect(mine.length).toBe((await entries()).length);
    expect(mine.some((e) => e.actor.type === 'token')).toBe(true);
    expect(await entries({ actorEmail: memberEmail })).toEqual([]);
    expect(await entries({ actorEmail: 'nobody@example.com' })).toEqual([]);
    const tooLong = await owner.gql(LOG, { p: projectId, filter: { actorEmail: `${'x'.repeat(330)}@example.com` } });
    expect(tooLong.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });
});
