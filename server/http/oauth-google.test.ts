import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fakeUser, startFakeGoogle, type FakeGoogle } from '../testing/fake-oauth-providers';
import { listeningApp, runFlow, startFlow, type ListeningApp } from '../testing/oauth-driver';

// The real OpenID Connect flow against a local fake issuer: discovery, authorize with state,
// nonce and PKCE, token exchange, ID-token checks (signature against the JWKS, issuer,
// audience, nonce), then userinfo for the same subject.

const VIEWER = '{ viewer { id email hasPassword linkedAccounts { provider email } } }';

describe('sign-in with Google', () => {
  let google: FakeGoogle;
  let app: ListeningApp;
  beforeAll(async () => {
    google = await startFakeGoogle();
    app = await listeningApp({ GOOGLE_CLIENT_ID: google.clientId, GOOGLE_CLIENT_SECRET: google.clientSecret, GOOGLE_ISSUER: google.url });
  });
  afterAll(async () => {
    await app?.close();
    await google?.close();
  });

  const userByEmail = (email: string) => app.t.app.deps.db.selectFrom('users').select('id').where('email', '=', email).executeTakeFirst();

  it('sends the browser to the discovered authorize endpoint with state, nonce and PKCE', async () => {
    const url = new URL((await startFlow(app, 'google')).authorizeUrl);
    expect(url.origin + url.pathname).toBe(`${google.url}/authorize`);
    expect(url.searchParams.get('scope')).toBe('openid email profile');
    expect(url.searchParams.get('nonce')).toBeTruthy();
    expect(url.searchParams.get('state')).toBeTruthy();
    expect(url.searchParams.get('code_challenge_method')).toBe('S256');
  });

  it('good path: creates the user from a verified e-mail, signs in and lists the link', async () => {
    google.idTokenFault = 'none';
    google.user = fakeUser({ name: 'Grace Hopper' });
    const res = await runFlow(app, 'google', { query: '?returnTo=/traces' });
    expect(res.location).toBe('/traces');
    const me = await res.client!.gql(VIEWER);
    expect(me.data.viewer).toMatchObject({ email: google.user.email, hasPassword: false, linkedAccounts: [{ provider: 'google' }] });
    const audit = await app.t.app.deps.db.selectFrom('audit_log').selectAll().where('target_id', '=', me.data.viewer.id).execute();
    expect(audit.find((a) => a.action === 'auth.sign_in')?.details).toMatchObject({ method: 'google' });
  });

  it.each([
    ['bad_signature', 'an ID token signed by another key'],
    ['wrong_audience', 'an ID token for another client'],
    ['wrong_nonce', 'an ID token with another flow’s nonce'],
  ] as const)('refuses %s (%s) and creates nobody', async (fault, _what) => {
    google.idTokenFault = fault;
    google.user = fakeUser();
    const res = await runFlow(app, 'google');
    google.idTokenFault = 'none';
    expect(res.location).toBe('/signin?error=oauth_failed');
    expect(res.client).toBeUndefined();
    expect(await userByEmail(google.user.email)).toBeUndefined();
  });

  it('refuses a wrong state and a replayed code', async () => {
    google.user = fakeUser();
    const forged = await runFlow(app, 'google', { tamper: (u) => u.searchParams.set('state', 'x') });
    expect(forged.location).toBe('/signin?error=oauth_state_mismatch');

    const first = await runFlow(app, 'google');
    expect(first.location).toBe('/');
    const code = new URL(first.callbackUrl).searchParams.get('code')!;
    const replay = await runFlow(app, 'google', { tamper: (u) => u.searchParams.set('code', code) });
    expect(replay.location).toBe('/signin?error=oauth_failed');
  });

  it('refuses email_verified=false, also when it matches an existing account', async () => {
    const { email, client } = await app.t.signUp();
    google.user = fakeUser({ email, verified: false });
    const res = await runFlow(app, 'google');
    expect(res.location).toBe('/signin?error=oauth_email_unverified');
    expect(res.client).toBeUndefined();
    expect((await client.gql(VIEWER)).data.viewer.linkedAccounts).toEqual([]);
  });

  it('bounds how many flows one address can start per minute', async () => {
    const outcomes: string[] = [];
    for (let i = 0; i < 31; i++) outcomes.push((await startFlow(app, 'google')).authorizeUrl);
    expect(outcomes.at(-1)).toBe('/signin?error=oauth_rate_limited');
  });

  it('lists Google alone in authProviders', async () => {
    const res = await app.t.anonymous().gql('{ authProviders { id name signInUrl } }');
    expect(res.data.authProviders).toEqual([{ id: 'google', name: 'Google', signInUrl: '/auth/google/start' }]);
  });
});

describe('authProviders without configuration', () => {
  let app: ListeningApp;
  beforeAll(async () => {
    app = await listeningApp({});
  });
  afterAll(() => app?.close());

  it('is empty, so the dashboard shows no provider buttons', async () => {
    const res = await app.t.anonymous().gql('{ authProviders { id } }');
    expect(res.data.authProviders).toEqual([]);
  });
});
