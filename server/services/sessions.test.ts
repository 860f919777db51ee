import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { INGEST, TEST_PASSWORD, TestClient, createTestApp, span, type TestApp } from '../testing/test-app';

// Session listing and revocation, the password change that ends other sessions, and the
// independence of sessions from ingest keys and personal access tokens, both ways.

const SESSIONS = '{ viewer { sessions { id userAgent ip current createdAt lastSeenAt expiresAt } } }';
const SIGN_IN = 'mutation($i: SignInInput!) { signIn(input: $i) { user { id } } }';

describe('sessions', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  /** Another browser of the same user. */
  async function signInAgain(email: string, userAgent: string): Promise<TestClient> {
    const c = new TestClient(t.app);
    const res = await c.gql(SIGN_IN, { i: { email, password: TEST_PASSWORD } }, { 'user-agent': userAgent });
    if (res.errors) throw new Error(JSON.stringify(res.errors));
    return c;
  }

  const actions = async (userId: string) =>
    (await t.app.deps.db.selectFrom('audit_log').select(['action', 'details']).where('target_id', '=', userId).orderBy('id').execute());

  it('lists the viewer’s active sessions newest first, marking the current one', async () => {
    const { client, email } = await t.signUp();
    const laptop = await signInAgain(email, 'Laptop/1.0');
    const list = await laptop.gql(SESSIONS);
    expect(list.errors).toBeUndefined();
    const sessions = list.data.viewer.sessions as { id: string; userAgent: string | null; current: boolean; createdAt: string }[];
    expect(sessions).toHaveLength(2);
    expect(sessions[0]).toMatchObject({ userAgent: 'Laptop/1.0', current: true });
    expect(sessions[1]!.current).toBe(false);
    expect(sessions.map((s) => s.createdAt)).toEqual([...sessions.map((s) => s.createdAt)].sort().reverse());
    // From the other browser, the other one is current.
    const other = (await client.gql(SESSIONS)).data.viewer.sessions as { id: string; current: boolean }[];
    expect(other.find((s) => s.current)?.id).toBe(sessions[1]!.id);
  });

  it('revokes one own session (audited); someone else’s reads as not found', async () => {
    const { client, email, userId } = await t.signUp();
    const phone = await signInAgain(email, 'Phone/2.0');
    const phoneId = ((await phone.gql(SESSIONS)).data.viewer.sessions as { id: string; current: boolean }[]).find((s) => s.current)!.id;

    const stranger = await t.signUp();
    const foreign = await stranger.client.gql('mutation($id: ID!) { revokeSession(id: $id) }', { id: phoneId });
    expect(foreign.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    expect((await phone.gql('{ viewer { id } }')).data.viewer?.id).toBe(userId);

    const res = await client.gql('mutation($id: ID!) { revokeSession(id: $id) }', { id: phoneId });
    expect(res.errors).toBeUndefined();
    expect(res.data.revokeSession).toBe(true);
    expect((await phone.gql('{ viewer { id } }')).data.viewer).toBeNull();
    expect((await client.gql(SESSIONS)).data.viewer.sessions).toHaveLength(1);
    expect((await actions(userId)).map((a) => a.action)).toContain('auth.session_revoke');

    // A malformed id is refused by the argument guard before any lookup.
    const bad = await client.gql('mutation { revokeSession(id: "not-a-uuid") }');
    expect(bad.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('revokeOtherSessions ends all but the current one and returns the count', async () => {
    const { client, email, userId } = await t.signUp();
    const a = await signInAgain(email, 'A');
    const b = await signInAgain(email, 'B');
    const res = await client.gql('mutation { revokeOtherSessions }');
    expect(res.data.revokeOtherSessions).toBe(2);
    expect((await a.gql('{ viewer { id } }')).data.viewer).toBeNull();
    expect((await b.gql('{ viewer { id } }')).data.viewer).toBeNull();
    expect((await client.gql('{ viewer { id } }')).data.viewer.id).toBe(userId);
    expect((await actions(userId)).find((x) => x.action === 'auth.sessions_revoke_others')?.details).toMatchObject({ revoked: 2 });
  });

  it('a password change needs the current password, ends every other session and is audited', async () => {
    const { client, email, userId } = await t.signUp();
    const other = await signInAgain(email, 'Other');
    const CHANGE = 'mutation($i: ChangePasswordInput!) { changePassword(input: $i) }';
    const next = 'a brand new passphrase';

    const missing = await client.gql(CHANGE, { i: { newPassword: next } });
    expect(missing.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'currentPassword' });
    const wrong = await client.gql(CHANGE, { i: { currentPassword: 'not my password', newPassword: next } });
    expect(wrong.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'currentPassword' });
    const weak = await client.gql(CHANGE, { i: { currentPassword: TEST_PASSWORD, newPassword: 'short' } });
    expect(weak.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect((await other.gql('{ viewer { id } }')).data.viewer.id).toBe(userId);

    const ok = await client.gql(CHANGE, { i: { currentPassword: TEST_PASSWORD, newPassword: next } });
    expect(ok.errors).toBeUndefined();
    expect((await other.gql('{ viewer { id } }')).data.viewer).toBeNull();
    expect((await client.gql('{ viewer { id } }')).data.viewer.id).toBe(userId);
    const entry = (await actions(userId)).find((x) => x.action === 'auth.password_change');
    expect(entry?.details).toMatchObject({ revokedSessions: 1, firstPassword: false });
    expect(JSON.stringify(entry)).not.toContain(next);

    const old = await new TestClient(t.app).gql(SIGN_IN, { i: { email, password: TEST_PASSWORD } });
    expect(old.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    const fresh = await new TestClient(t.app).gql(SIGN_IN, { i: { email, password: next } });
    expect(fresh.data.signIn.user.id).toBe(userId);
  });

  it('session fields are the user’s own, and session changes need a browser session', async () => {
    const { client, userId } = await t.signUp();
    const stranger = await t.signUp();
    // Another user's sessions are not reachable: viewer is always the caller.
    expect((await stranger.client.gql(SESSIONS)).data.viewer.sessions).toHaveLength(1);
    const pat = await client.gql('mutation { createPersonalAccessToken(name: "cli", readOnly: false) { secret } }');
    const token = new TestClient(t.app, pat.data.createPersonalAccessToken.secret);
    for (const m of ['mutation { revokeOtherSessions }', 'mutation { unlinkAuthProvider(provider: "github") }',
      'mutation { changePassword(input: { newPassword: "xxxxxxxxxxxxxx" }) }']) {
      expect((await token.gql(m)).errors?.[0]?.extensions?.code, m).toBe('FORBIDDEN');
    }
    expect((await t.anonymous().gql('mutation { revokeOtherSessions }')).errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    // A token may read its own user's sessions (the one browser session this user has); none of
    // them is "current" for it.
    const viaCookie = (await client.gql(SESSIONS)).data.viewer.sessions as { id: string; current: boolean }[];
    const viaToken = (await token.gql(SESSIONS)).data.viewer.sessions as { id: string; current: boolean }[];
    expect(viaToken.map((s) => s.id)).toEqual(viaCookie.map((s) => s.id));
    expect(viaToken).toHaveLength(1);
    expect(viaToken[0]!.current).toBe(false);
    expect(viaCookie[0]!.current).toBe(true);
    expect((await token.gql('{ viewer { id } }')).data.viewer.id).toBe(userId);
  });
});

describe('sessions, keys and tokens are independent', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  it('revoking every session leaves ingest keys and personal access tokens working', async () => {
    const { owner, ingest } = await t.projectWithKey();
    const pat = await owner.gql('mutation { createPersonalAccessToken(name: "ci", readOnly: false) { secret } }');
    const token = new TestClient(t.app, pat.data.createPersonalAccessToken.secret);
    const viewer = (await owner.gql('{ viewer { id email } }')).data.viewer as { id: string; email: string };
    const second = new TestClient(t.app);
    await second.gql(SIGN_IN, { i: { email: viewer.email, password: TEST_PASSWORD } });

    expect((await owner.gql('mutation { revokeOtherSessions }')).data.revokeOtherSessions).toBe(1);
    const sessions = (await owner.gql(SESSIONS)).data.viewer.sessions as { id: string }[];
    expect((await owner.gql('mutation($id: ID!) { revokeSession(id: $id) }', { id: sessions[0]!.id })).data.revokeSession).toBe(true);
    expect((await owner.gql('{ viewer { id } }')).data.viewer).toBeNull();
    expect((await second.gql('{ viewer { id } }')).data.viewer).toBeNull();

    const ingested = await ingest.gql(INGEST, { spans: [span()] });
    expect(ingested.errors).toBeUndefined();
    expect(ingested.data.ingest.accepted).toBe(1);
    expect((await token.gql('{ viewer { id } }')).data.viewer.id).toBe(viewer.id);
  });

  it('a password change leaves keys and tokens working too', async () => {
    const { owner, ingest } = await t.projectWithKey();
    const pat = await owner.gql('mutation { createPersonalAccessToken(name: "ci", readOnly: false) { secret } }');
    const token = new TestClient(t.app, pat.data.createPersonalAccessToken.secret);
    const changed = await owner.gql('mutation($i: ChangePasswordInput!) { changePassword(input: $i) }', {
      i: { currentPassword: TEST_PASSWORD, newPassword: 'another long passphrase' },
    });
    expect(changed.errors).toBeUndefined();
    expect((await ingest.gql(INGEST, { spans: [span()] })).data.ingest.accepted).toBe(1);
    expect((await token.gql('{ viewer { id } }')).data.viewer).not.toBeNull();
  });

  it('rotating or revoking a key, and revoking a token, leave sessions working', async () => {
    const { owner, ownerId, keyId, projectId } = await t.projectWithKey();
    const rotated = await owner.gql('mutation($id: ID!) { rotateApiKey(id: $id, graceSeconds: 0) { secret } }', { id: keyId });
    expect(rotated.errors).toBeUndefined();
    expect((await owner.gql('{ viewer { id } }')).data.viewer.id).toBe(ownerId);

    const created = await owner.gql('mutation($p: ID!) { createApiKey(projectId: $p, name: "other") { apiKey { id } } }', { p: projectId });
    const revoked = await owner.gql('mutation($id: ID!) { revokeApiKey(id: $id) { id } }', { id: created.data.createApiKey.apiKey.id });
    expect(revoked.errors).toBeUndefined();
    const pat = await owner.gql('mutation { createPersonalAccessToken(name: "ci", readOnly: false) { token { id } } }');
    const gone = await owner.gql('mutation($id: ID!) { revokePersonalAccessToken(id: $id) }', { id: pat.data.createPersonalAccessToken.token.id });
    expect(gone.errors).toBeUndefined();

    const after = await owner.gql(SESSIONS);
    expect(after.errors).toBeUndefined();
    expect(after.data.viewer.sessions).toHaveLength(1);
    expect(after.data.viewer.sessions[0].current).toBe(true);
  });
});
