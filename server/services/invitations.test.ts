import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fakeUser, startFakeGitHub, type FakeProvider } from '../testing/fake-oauth-providers';
import { listeningApp, runFlow, type ListeningApp } from '../testing/oauth-driver';
import { TEST_PASSWORD, TestClient, uniqueEmail } from '../testing/test-app';

// Invitations by e-mail (issue 16): pending, expiring, revocable; accepted when the verified
// address signs up or in (here through a GitHub sign-in that vouches for it), or through the link
// by the invited address; every step audited; members see who is pending.

const INVITE = `mutation($p: ID!, $e: String!, $r: Role!, $d: Int) { inviteProjectMember(projectId: $p, email: $e, role: $r, expiresInDays: $d) {
  acceptUrl invitation { id email maskedEmail role status expiresAt invitedBy { id } } } }`;
const LIST = `query($p: ID!, $all: Boolean, $withEmail: Boolean!) { project(id: $p) { invitations(includeClosed: $all) { id email @include(if: $withEmail) maskedEmail role status } } }`;
const ACCEPT = `mutation($t: String!) { acceptInvitation(token: $t) { projectId projectName role } }`;
const tokenOf = (url: string) => url.split('/invite/')[1]!;

describe('invitations', () => {
  let gh: FakeProvider;
  let app: ListeningApp;
  let owner: TestClient;
  let ownerId: string;
  let projectId: string;
  let viewer: TestClient;

  beforeAll(async () => {
    gh = await startFakeGitHub();
    app = await listeningApp({ GITHUB_CLIENT_ID: gh.clientId, GITHUB_CLIENT_SECRET: gh.clientSecret, GITHUB_BASE_URL: gh.url });
    const o = await app.t.signUp('Olivia');
    owner = o.client;
    ownerId = o.userId;
    projectId = (await owner.gql('mutation { createProject(input: { name: "Invite test" }) { id } }')).data.createProject.id;
    const v = await app.t.signUp('Victor');
    viewer = v.client;
    await owner.gql('mutation($p: ID!, $e: String!) { addProjectMember(projectId: $p, email: $e, role: VIEWER) { role } }', { p: projectId, e: v.email });
  });
  afterAll(async () => {
    await app?.close();
    await gh?.close();
  });

  const members = async () =>
    ((await owner.gql('query($p: ID!) { project(id: $p) { members { role user { email } } } }', { p: projectId })).data.project.members as { role: string; user: { email: string } }[]);
  const audit = async (action: string) =>
    (await owner.gql('query($p: ID!, $a: String!) { project(id: $p) { auditLog(filter: { action: $a }) { edges { node { targetLabel details actor { name } } } } } }', { p: projectId, a: action }))
      .data.project.auditLog.edges.map((e: { node: unknown }) => e.node);

  it('invites an address without an account: pending, with a link, audited; members see it masked, admins in full', async () => {
    const email = uniqueEmail('newcomer');
    const res = await owner.gql(INVITE, { p: projectId, e: email.toUpperCase(), r: 'ADMIN' });
    expect(res.errors).toBeUndefined();
    const created = res.data.inviteProjectMember;
    expect(created.acceptUrl).toMatch(/^http:\/\/localhost:4000\/invite\/[\w-]{43}$/);
    expect(created.invitation).toMatchObject({ email, role: 'ADMIN', status: 'PENDING', invitedBy: { id: ownerId } });
    expect(Date.parse(created.invitation.expiresAt) - Date.now()).toBeGreaterThan(6.9 * 86_400_000);
    expect(await audit('invitation.create')).toEqual([expect.objectContaining({ details: expect.objectContaining({ email, role: 'ADMIN' }) })]);
    // The token is stored only as a hash.
    const stored = await app.t.app.deps.db.selectFrom('project_invitations').select('token_hash').where('email', '=', email).executeTakeFirstOrThrow();
    expect(stored.token_hash).not.toContain(tokenOf(created.acceptUrl));

    const seenByViewer = await viewer.gql(LIST, { p: projectId, withEmail: false });
    expect(seenByViewer.data.project.invitations).toEqual([expect.objectContaining({ maskedEmail: expect.stringMatching(/^ne•••@example\.com$/), role: 'ADMIN', status: 'PENDING' })]);
    const emailForViewer = await viewer.gql(LIST, { p: projectId, withEmail: true });
    expect(emailForViewer.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(emailForViewer.data.project.invitations[0].email).toBeNull();
    const refused = await viewer.gql(INVITE, { p: projectId, e: uniqueEmail('x'), r: 'VIEWER' });
    expect(refused.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });

  it('accepts through the link once the invited address has an account, not for another address', async () => {
    const email = uniqueEmail('linked');
    const { acceptUrl } = (await owner.gql(INVITE, { p: projectId, e: email, r: 'VIEWER' })).data.inviteProjectMember;
    const token = tokenOf(acceptUrl);
    const preview = await app.t.anonymous().gql('query($t: String!) { invitation(token: $t) { projectName role maskedEmail invitedByName status } }', { t: token });
    expect(preview.data.invitation).toEqual({ projectName: 'Invite test', role: 'VIEWER', maskedEmail: expect.stringContaining('•••@example.com'), invitedByName: 'Olivia', status: 'PENDING' });

    const stranger = await app.t.signUp('Stranger');
    const wrong = await stranger.client.gql(ACCEPT, { t: token });
    expect(wrong.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(wrong.errors?.[0]?.message).toMatch(/sign in with that address/);

    const invitee = new TestClient(app.t.app);
    await invitee.gql('mutation($i: SignUpInput!) { signUp(input: $i) { user { id } } }', { i: { email, password: TEST_PASSWORD, name: 'Linda' } });
    // A password sign-up proves nothing about the address: still pending until the link is used.
    expect((await members()).some((m) => m.user.email === email)).toBe(false);
    const accepted = await invitee.gql(ACCEPT, { t: token });
    expect(accepted.errors).toBeUndefined();
    expect(accepted.data.acceptInvitation).toEqual({ projectId, projectName: 'Invite test', role: 'VIEWER' });
    expect(await members()).toContainEqual({ role: 'VIEWER', user: { email } });
    expect((await invitee.gql(ACCEPT, { t: token })).errors?.[0]?.extensions?.code).toBe('CONFLICT');
    expect(await audit('invitation.accept')).toContainEqual(expect.objectContaining({ details: expect.objectContaining({ email, how: 'link' }), actor: { name: email } }));
  });

  it('accepts at a GitHub sign-in that vouches for the invited address, in the sign-in’s transaction', async () => {
    const user = fakeUser({ verified: true });
    await owner.gql(INVITE, { p: projectId, e: user.email, r: 'ADMIN' });
    gh.user = user;
    const flow = await runFlow(app, 'github');
    expect(flow.client).toBeDefined();
    expect(await members()).toContainEqual({ role: 'ADMIN', user: { email: user.email } });
    const open = (await owner.gql(LIST, { p: projectId, withEmail: true })).data.project.invitations;
    expect(open.map((i: { email: string }) => i.email)).not.toContain(user.email);
    const accepts = await audit('invitation.accept');
    expect(accepts).toContainEqual(expect.objectContaining({ details: expect.objectContaining({ email: user.email, how: 'verified_email' }) }));
  });

  it('does not accept for an address the provider did not verify', async () => {
    const user = fakeUser({ verified: false });
    await owner.gql(INVITE, { p: projectId, e: user.email, r: 'VIEWER' });
    gh.user = user;
    await runFlow(app, 'github');
    expect((await members()).some((m) => m.user.email === user.email)).toBe(false);
  });

  it('revokes and expires: neither can be accepted; a revoked or expired address can be invited again', async () => {
    const email = uniqueEmail('revoked');
    const first = (await owner.gql(INVITE, { p: projectId, e: email, r: 'VIEWER' })).data.inviteProjectMember;
    expect((await owner.gql(INVITE, { p: projectId, e: email, r: 'VIEWER' })).errors?.[0]?.extensions?.code).toBe('CONFLICT');
    const revoked = await owner.gql('mutation($p: ID!, $id: ID!) { revokeInvitation(projectId: $p, id: $id) { status } }', { p: projectId, id: first.invitation.id });
    expect(revoked.data.revokeInvitation.status).toBe('REVOKED');
    expect(await audit('invitation.revoke')).toContainEqual(expect.objectContaining({ targetLabel: email }));
    const invitee = new TestClient(app.t.app);
    await invitee.gql('mutation($i: SignUpInput!) { signUp(input: $i) { user { id } } }', { i: { email, password: TEST_PASSWORD } });
    expect((await invitee.gql(ACCEPT, { t: tokenOf(first.acceptUrl) })).errors?.[0]?.message).toMatch(/revoked/);

    const second = (await owner.gql(INVITE, { p: projectId, e: email, r: 'ADMIN', d: 1 })).data.inviteProjectMember;
    await app.t.app.deps.db.updateTable('project_invitations').set({ expires_at: new Date(Date.now() - 1000) }).where('id', '=', second.invitation.id).execute();
    expect((await invitee.gql(ACCEPT, { t: tokenOf(second.acceptUrl) })).errors?.[0]?.message).toMatch(/expired/);
    const all = (await owner.gql(LIST, { p: projectId, all: true, withEmail: true })).data.project.invitations.filter((i: { email: string }) => i.email === email);
    expect(all.map((i: { status: string }) => i.status)).toEqual(['EXPIRED', 'REVOKED']);
    const third = await owner.gql(INVITE, { p: projectId, e: email, r: 'VIEWER' });
    expect(third.errors).toBeUndefined();
  });

  it('refuses bad input and owners invited by admins', async () => {
    for (const [email, days] of [['not-an-address', null], [uniqueEmail('d'), 0], [uniqueEmail('d'), 31]] as const) {
      const res = await owner.gql(INVITE, { p: projectId, e: email, r: 'VIEWER', d: days });
      expect(res.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    }
    const existing = (await owner.gql('query($p: ID!) { project(id: $p) { members { user { email } } } }', { p: projectId })).data.project.members[1].user.email;
    expect((await owner.gql(INVITE, { p: projectId, e: existing, r: 'VIEWER' })).errors?.[0]?.extensions?.code).toBe('CONFLICT');
    const admin = await app.t.signUp('Ada');
    await owner.gql('mutation($p: ID!, $e: String!) { addProjectMember(projectId: $p, email: $e, role: ADMIN) { role } }', { p: projectId, e: admin.email });
    expect((await admin.client.gql(INVITE, { p: projectId, e: uniqueEmail('o'), r: 'OWNER' })).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect((await app.t.anonymous().gql('query { invitation(token: "nope") { projectName } }')).data.invitation).toBeNull();
  });
});
