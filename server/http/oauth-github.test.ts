import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fakeUser, startFakeGitHub, type FakeProvider } from '../testing/fake-oauth-providers';
import { followCallback, listeningApp, prepareCallback, runFlow, startFlow, type ListeningApp } from '../testing/oauth-driver';
import { TEST_PASSWORD, TestClient } from '../testing/test-app';

// The real GitHub flow (authorization code + state + PKCE, then /user and /user/emails) against
// a local fake laid out like GitHub Enterprise Server: GITHUB_BASE_URL=<fake>, API at /api/v3.

const VIEWER = '{ viewer { id email hasPassword linkedAccounts { provider email } } }';

describe('sign-in with GitHub', () => {
  let gh: FakeProvider;
  let app: ListeningApp;
  beforeAll(async () => {
    gh = await startFakeGitHub();
    app = await listeningApp({ GITHUB_CLIENT_ID: gh.clientId, GITHUB_CLIENT_SECRET: gh.clientSecret, GITHUB_BASE_URL: gh.url });
  });
  afterAll(async () => {
    await app?.close();
    await gh?.close();
  });

  const auditOf = (userId: string) =>
    app.t.app.deps.db.selectFrom('audit_log').selectAll().where('target_id', '=', userId).orderBy('id').execute();

  it('sends the browser to GitHub with state, PKCE S256 and the callback, and scopes the state cookie', async () => {
    const { authorizeUrl, start } = await startFlow(app, 'github');
    const url = new URL(authorizeUrl);
    expect(url.origin + url.pathname).toBe(`${gh.url}/login/oauth/authorize`);
    expect(url.searchParams.get('client_id')).toBe(gh.clientId);
    expect(url.searchParams.get('code_challenge_method')).toBe('S256');
    expect(url.searchParams.get('code_challenge')).toMatch(/^[\w-]{43}$/);
    expect(url.searchParams.get('state')).toBeTruthy();
    expect(url.searchParams.get('redirect_uri')).toBe('http://localhost:4000/auth/github/callback');
    const cookie = start.headers.getSetCookie().join('\n');
    expect(cookie).toMatch(/tt_oauth_state=[^;]+; Path=\/auth\/github\/callback; HttpOnly; SameSite=Lax/);
    // The secret parts of the flow never reach the browser.
    expect(authorizeUrl + cookie).not.toContain('code_verifier');
  });

  it('good path: the first sign-in creates the user, sets the session and returns to returnTo; the next finds them', async () => {
    gh.user = fakeUser();
    const first = await runFlow(app, 'github', { query: '?returnTo=/projects/abc?tab=keys' });
    expect(first.location).toBe('/projects/abc?tab=keys');
    expect(first.client).toBeDefined();
    const me = await first.client!.gql(VIEWER);
    expect(me.data.viewer).toMatchObject({ email: gh.user.email, hasPassword: false, linkedAccounts: [{ provider: 'github', email: gh.user.email }] });
    const userId = me.data.viewer.id as string;

    const second = await runFlow(app, 'github');
    expect(second.location).toBe('/');
    expect((await second.client!.gql(VIEWER)).data.viewer.id).toBe(userId);

    const audit = await auditOf(userId);
    const signIns = audit.filter((a) => a.action === 'auth.sign_in');
    expect(signIns).toHaveLength(2);
    expect(signIns[0]).toMatchObject({ project_id: null, actor_type: 'user', actor_id: userId });
    expect(signIns[0]!.details).toMatchObject({ method: 'github', userCreated: true });
    expect(audit.map((a) => a.action)).toContain('auth.provider_link');
    // No secret of the flow is written anywhere in the audit trail.
    expect(JSON.stringify(audit)).not.toMatch(/gho_|gh-secret|code_verifier/);
  });

  it('refuses a callback whose state does not match the browser’s cookie', async () => {
    const forged = await runFlow(app, 'github', { tamper: (u) => u.searchParams.set('state', 'forged-state') });
    expect(forged.location).toBe('/signin?error=oauth_state_mismatch');
    expect(forged.client).toBeUndefined();

    // A callback opened in another browser (no state cookie): login CSRF refused.
    const { callbackUrl } = await prepareCallback(app, 'github');
    const elsewhere = await followCallback(app, callbackUrl, new Map());
    expect(elsewhere.location).toBe('/signin?error=oauth_state_mismatch');
    expect(elsewhere.client).toBeUndefined();
  });

  it('refuses a replayed callback, and a replayed code under a fresh state', async () => {
    gh.user = fakeUser();
    const { callbackUrl, jar } = await prepareCallback(app, 'github');
    const ok = await followCallback(app, callbackUrl, jar);
    expect(ok.location).toBe('/');
    const replay = await followCallback(app, callbackUrl, jar);
    expect(replay.location).toBe('/signin?error=oauth_state_mismatch');
    expect(replay.client).toBeUndefined();

    const usedCode = new URL(callbackUrl).searchParams.get('code')!;
    const reused = await runFlow(app, 'github', { tamper: (u) => u.searchParams.set('code', usedCode) });
    expect(reused.location).toBe('/signin?error=oauth_failed');
    expect(reused.client).toBeUndefined();
  });

  it('refuses a provider error (the user pressed cancel)', async () => {
    const denied = await runFlow(app, 'github', {
      tamper: (u) => {
        u.searchParams.delete('code');
        u.searchParams.set('error', 'access_denied');
      },
    });
    expect(denied.location).toBe('/signin?error=oauth_denied');
  });

  it('links to an existing account through a verified primary e-mail, and refuses an unverified one', async () => {
    const { client: pw, userId, email } = await app.t.signUp();
    gh.user = fakeUser({ email: email.toUpperCase(), verified: false });
    const refused = await runFlow(app, 'github');
    expect(refused.location).toBe('/signin?error=oauth_email_unverified');
    expect(refused.client).toBeUndefined();
    expect((await pw.gql(VIEWER)).data.viewer.linkedAccounts).toEqual([]);
    const failed = (await auditOf(userId)).find((a) => a.action === 'auth.sign_in_failed');
    expect(failed?.details).toMatchObject({ method: 'github', reason: 'email_unverified' });

    gh.user = { ...gh.user, verified: true };
    const linked = await runFlow(app, 'github');
    expect(linked.location).toBe('/');
    const me = await linked.client!.gql(VIEWER);
    expect(me.data.viewer).toMatchObject({ id: userId, hasPassword: true, linkedAccounts: [{ provider: 'github' }] });
  });

  it('refuses to create a user from an unverified e-mail', async () => {
    gh.user = fakeUser({ verified: false });
    const res = await runFlow(app, 'github');
    expect(res.location).toBe('/signin?error=oauth_email_unverified');
    const row = await app.t.app.deps.db.selectFrom('users').select('id').where('email', '=', gh.user.email).executeTakeFirst();
    expect(row).toBeUndefined();
  });

  it('links to the signed-in user with link=1, unlinks, and never unlinks the last way to sign in', async () => {
    const { client: pw, userId } = await app.t.signUp();
    const session = pw.cookie!.slice('tt_session='.length);
    gh.user = fakeUser();
    const linked = await runFlow(app, 'github', { query: '?link=1&returnTo=/settings', jar: new Map([['tt_session', session]]) });
    expect(linked.location).toBe('/settings');
    expect((await pw.gql(VIEWER)).data.viewer.linkedAccounts).toEqual([{ provider: 'github', email: gh.user.email }]);
    expect((await auditOf(userId)).map((a) => a.action)).toContain('auth.provider_link');

    // The same GitHub account cannot then be linked to someone else.
    const other = await app.t.signUp();
    const taken = await runFlow(app, 'github', { query: '?link=1', jar: new Map([['tt_session', other.client.cookie!.slice(11)]]) });
    expect(taken.location).toBe('/signin?error=oauth_account_in_use');

    const unlink = await pw.gql('mutation { unlinkAuthProvider(provider: "github") }');
    expect(unlink.errors).toBeUndefined();
    expect(unlink.data.unlinkAuthProvider).toBe(true);
    expect((await pw.gql(VIEWER)).data.viewer.linkedAccounts).toEqual([]);
    expect((await auditOf(userId)).map((a) => a.action)).toContain('auth.provider_unlink');

    const again = await pw.gql('mutation { unlinkAuthProvider(provider: "github") }');
    expect(again.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
  });

  it('refuses to unlink the only way an OAuth-only user can sign in, until a password is set', async () => {
    gh.user = fakeUser();
    const { client } = await runFlow(app, 'github');
    const refused = await client!.gql('mutation { unlinkAuthProvider(provider: "github") }');
    expect(refused.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(refused.errors?.[0]?.message).toMatch(/last way to sign in/);
    expect((await client!.gql(VIEWER)).data.viewer.linkedAccounts).toHaveLength(1);

    const set = await client!.gql('mutation($i: ChangePasswordInput!) { changePassword(input: $i) }', { i: { newPassword: TEST_PASSWORD } });
    expect(set.errors).toBeUndefined();
    const ok = await client!.gql('mutation { unlinkAuthProvider(provider: "github") }');
    expect(ok.errors).toBeUndefined();
    const me = await client!.gql(VIEWER);
    expect(me.data.viewer).toMatchObject({ hasPassword: true, linkedAccounts: [] });
    // …and the password now signs in.
    const signIn = await new TestClient(app.t.app).gql('mutation($i: SignInInput!) { signIn(input: $i) { user { id } } }', {
      i: { email: gh.user.email, password: TEST_PASSWORD },
    });
    expect(signIn.data.signIn.user.id).toBe(me.data.viewer.id);
  });

  it('link=1 without a session, an unknown provider and an unconfigured one are refused', async () => {
    expect((await startFlow(app, 'github', { query: '?link=1' })).authorizeUrl).toBe('/signin?error=oauth_link_requires_session');
    expect((await startFlow(app, 'gitlab')).authorizeUrl).toBe('/signin?error=oauth_unavailable');
    expect((await startFlow(app, 'google')).authorizeUrl).toBe('/signin?error=oauth_unavailable');
  });

  it('returns only to a path on this site', async () => {
    for (const target of ['//evil.example/x', 'https://evil.example/', '/\\evil.example', 'javascript:alert(1)']) {
      gh.user = fakeUser();
      const res = await runFlow(app, 'github', { query: `?returnTo=${encodeURIComponent(target)}` });
      expect(res.location).toBe('/');
    }
  });

  it('lists GitHub alone in authProviders', async () => {
    const res = await app.t.anonymous().gql('{ authProviders { id name signInUrl } }');
    expect(res.data.authProviders).toEqual([{ id: 'github', name: 'GitHub', signInUrl: '/auth/github/start' }]);
  });
});
