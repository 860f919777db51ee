import { createHash, randomBytes } from 'node:crypto';
import bcrypt from 'bcrypt';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, TEST_PASSWORD, TestClient, uniqueEmail, type GraphQLResponse, type TestApp } from '../testing/test-app';

// Sign-up, sign-in and sign-out through GraphQL, as the dashboard does them, checked the way a
// security reviewer would: the cookie's flags, what is stored, what the errors give away,
// the brute-force limits, and what ends up in the logs.

const SIGN_UP = 'mutation($input: SignUpInput!) { signUp(input: $input) { user { id email name } } }';
const SIGN_IN = 'mutation($input: SignInInput!) { signIn(input: $input) { user { id email name } } }';
const SIGN_OUT = 'mutation { signOut }';
const VIEWER = '{ viewer { id email name } }';

function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** The Set-Cookie header for the session cookie, if the response set one. */
function sessionSetCookie(res: GraphQLResponse): string | undefined {
  return res.headers.getSetCookie().find((h) => h.startsWith('tt_session='));
}

function cookieValue(setCookie: string): string {
  return setCookie.split(';')[0]!.slice('tt_session='.length);
}

function attributes(setCookie: string): string[] {
  return setCookie
    .split(';')
    .slice(1)
    .map((a) => a.trim().toLowerCase());
}

function randomIp(): string {
  const b = randomBytes(3);
  return `10.${b[0]}.${b[1]}.${b[2]}`;
}

async function signUp(app: TestApp, email = uniqueEmail(), headers: Record<string, string> = {}) {
  const client = app.anonymous();
  const res = await client.gql(SIGN_UP, { input: { email, password: TEST_PASSWORD, name: 'Ada' } }, headers);
  expect(res.errors).toBeUndefined();
  return { client, res, email, userId: res.data.signUp.user.id as string };
}

function signIn(app: TestApp, email: string, password: string, headers: Record<string, string> = {}) {
  return app.anonymous().gql(SIGN_IN, { input: { email, password } }, headers);
}

describe('accounts', () => {
  // Everything the main app logs, at every level, so the log test sees all of it.
  const logLines: string[] = [];
  const logger = pino({ level: 'trace' }, { write: (line: string) => void logLines.push(line) });
  /** Passwords and cookie values used anywhere in this file: none may reach the log. */
  const secretsSeen = new Set<string>([TEST_PASSWORD]);

  let t: TestApp;
  /** Behind a trusted proxy, with tight sign-in limits and a different bcrypt cost. */
  let strict: TestApp;
  beforeAll(async () => {
    t = await createTestApp({}, { logger });
    strict = await createTestApp({
      TRUST_PROXY: 'true',
      TOKENTRACE_SIGNIN_MAX_FAILURES_PER_EMAIL: '3',
      TOKENTRACE_SIGNIN_MAX_FAILURES_PER_IP: '4',
      TOKENTRACE_BCRYPT_COST: '5',
    });
  });
  afterAll(async () => {
    await t?.close();
    await strict?.close();
  });

  describe('signUp', () => {
    it('returns the user and sets an HttpOnly, SameSite=Lax session cookie, not Secure over plain HTTP', async () => {
      const email = uniqueEmail('Signup');
      const { res } = await signUp(t, `  ${email.toUpperCase()} `);
      expect(res.status).toBe(200);
      expect(res.data.signUp.user).toEqual({ id: expect.any(String), email: email.toLowerCase(), name: 'Ada' });

      const setCookie = sessionSetCookie(res);
      expect(setCookie).toBeDefined();
      secretsSeen.add(cookieValue(setCookie!));
      expect(cookieValue(setCookie!)).toMatch(/^[A-Za-z0-9_-]{43}$/); // 32 random bytes
      const attrs = attributes(setCookie!);
      expect(attrs).toContain('httponly');
      expect(attrs).toContain('samesite=lax');
      expect(attrs).toContain('path=/');
      expect(attrs).not.toContain('secure');
      // Not a browser-session cookie that dies with the tab, nor one that lives forever.
      const maxAge = Number(attrs.find((a) => a.startsWith('max-age='))?.slice('max-age='.length));
      expect(maxAge).toBeGreaterThan(13 * 24 * 3600);
      expect(maxAge).toBeLessThanOrEqual(14 * 24 * 3600);
    });

    it('makes the cookie Secure behind a trusted proxy that says https, and only then', async () => {
      const https = await signUp(strict, uniqueEmail(), { 'x-forwarded-proto': 'https' });
      expect(attributes(sessionSetCookie(https.res)!)).toContain('secure');

      const http = await signUp(strict, uniqueEmail(), { 'x-forwarded-proto': 'http' });
      expect(attributes(sessionSetCookie(http.res)!)).not.toContain('secure');

      // Without TRUST_PROXY the header is anyone's to send and changes nothing.
      const untrusted = await signUp(t, uniqueEmail(), { 'x-forwarded-proto': 'https' });
      expect(attributes(sessionSetCookie(untrusted.res)!)).not.toContain('secure');
    });

    it('signs the new user in: viewer with the cookie is that user, and null without it', async () => {
      const email = uniqueEmail();
      const { client, userId } = await signUp(t, email);
      const viewer = await client.gql(VIEWER);
      expect(viewer.errors).toBeUndefined();
      expect(viewer.data.viewer).toEqual({ id: userId, email, name: 'Ada' });

      const anonymous = await t.anonymous().gql(VIEWER);
      expect(anonymous.errors).toBeUndefined();
      expect(anonymous.data.viewer).toBeNull();
    });

    it('refuses a password shorter than 10 characters with a clear BAD_USER_INPUT, and creates nothing', async () => {
      const email = uniqueEmail();
      const res = await t.anonymous().gql(SIGN_UP, { input: { email, password: '123456789' } });
      expect(res.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
      expect(res.errors?.[0]?.message).toMatch(/password.*at least 10 characters/i);
      expect(res.errors?.[0]?.extensions?.field).toBe('password');
      expect(sessionSetCookie(res)).toBeUndefined();
      const rows = await t.app.deps.db.selectFrom('users').select('id').where('email', '=', email).execute();
      expect(rows).toEqual([]);

      // Ten characters is enough.
      const ok = await t.anonymous().gql(SIGN_UP, { input: { email, password: '1234567890' } });
      expect(ok.errors).toBeUndefined();
    });

    it('refuses an e-mail that is taken, also in another case or with spaces around it', async () => {
      const email = uniqueEmail('taken');
      await signUp(t, email);
      for (const variant of [email, email.toUpperCase(), `  ${email}\t`, `${email[0]!.toUpperCase()}${email.slice(1)}`]) {
        const res = await t.anonymous().gql(SIGN_UP, { input: { email: variant, password: 'another good password' } });
        expect(res.errors?.[0]?.extensions?.code, variant).toBe('BAD_USER_INPUT');
        expect(res.errors?.[0]?.message).toMatch(/already exists/);
        expect(sessionSetCookie(res)).toBeUndefined();
      }
      const rows = await t.app.deps.db.selectFrom('users').select('id').where('email', '=', email).execute();
      expect(rows).toHaveLength(1);
    });

    it('stores a bcrypt hash at the configured cost, never the password', async () => {
      const { userId } = await signUp(t);
      const user = await t.app.deps.db.selectFrom('users').selectAll().where('id', '=', userId).executeTakeFirstOrThrow();
      expect(user.password_hash).toMatch(/^\$2b\$04\$[./A-Za-z0-9]{53}$/);
      expect(await bcrypt.compare(TEST_PASSWORD, user.password_hash!)).toBe(true);
      expect(JSON.stringify(user)).not.toContain(TEST_PASSWORD);

      const { userId: strictUserId } = await signUp(strict);
      const strictUser = await strict.app.deps.db
        .selectFrom('users')
        .select('password_hash')
        .where('id', '=', strictUserId)
        .executeTakeFirstOrThrow();
      expect(strictUser.password_hash).toMatch(/^\$2b\$05\$/);
    });

    it('stores only the SHA-256 hex of the session cookie, never the cookie value', async () => {
      const { userId, res } = await signUp(t);
      const value = cookieValue(sessionSetCookie(res)!);
      const sessions = await t.app.deps.db.selectFrom('sessions').selectAll().where('user_id', '=', userId).execute();
      expect(sessions).toHaveLength(1);
      expect(sessions[0]!.token_hash).toMatch(/^[0-9a-f]{64}$/);
      expect(sessions[0]!.token_hash).toBe(sha256Hex(value));
      expect(JSON.stringify(sessions)).not.toContain(value);
    });
  });

  describe('signIn', () => {
    it('gives the same UNAUTHENTICATED error for a wrong password and an unknown e-mail', async () => {
      const { email } = await signUp(t);
      const wrongPassword = await signIn(t, email, 'not the right password');
      const unknownEmail = await signIn(t, uniqueEmail('nobody'), TEST_PASSWORD);
      for (const res of [wrongPassword, unknownEmail]) {
        expect(res.errors).toHaveLength(1);
        expect(res.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
        expect(sessionSetCookie(res)).toBeUndefined();
      }
      expect(wrongPassword.errors?.[0]?.message).toBe(unknownEmail.errors?.[0]?.message);
      expect(wrongPassword.status).toBe(unknownEmail.status);
      expect(wrongPassword.errors?.[0]?.extensions).toEqual(unknownEmail.errors?.[0]?.extensions);
    });

    it('signs in with the right password, whatever the case of the e-mail', async () => {
      const { email, userId } = await signUp(t);
      const client = t.anonymous();
      const res = await client.gql(SIGN_IN, { input: { email: ` ${email.toUpperCase()}`, password: TEST_PASSWORD } });
      expect(res.errors).toBeUndefined();
      expect(res.data.signIn.user.id).toBe(userId);
      expect(attributes(sessionSetCookie(res)!)).toEqual(expect.arrayContaining(['httponly', 'samesite=lax']));
      expect((await client.gql(VIEWER)).data.viewer.id).toBe(userId);
    });

    it('starts a new session each time: a different cookie, and every session row kept', async () => {
      const { email, userId, res: signUpRes } = await signUp(t);
      const first = await signIn(t, email, TEST_PASSWORD);
      const second = await signIn(t, email, TEST_PASSWORD);
      const values = [signUpRes, first, second].map((r) => cookieValue(sessionSetCookie(r)!));
      values.forEach((v) => secretsSeen.add(v));
      expect(new Set(values).size).toBe(3);

      const sessions = await t.app.deps.db.selectFrom('sessions').selectAll().where('user_id', '=', userId).execute();
      expect(sessions.map((s) => s.token_hash).sort()).toEqual(values.map(sha256Hex).sort());
      expect(sessions.every((s) => s.revoked_at === null)).toBe(true);

      for (const value of values) {
        const viewer = await new TestClient(t.app).gql(VIEWER, {}, { cookie: `tt_session=${value}` });
        expect(viewer.data.viewer?.id).toBe(userId);
      }
    });

    it('replaces a cookie the browser already had (no session fixation)', async () => {
      const { email, client } = await signUp(t);
      const before = client.cookie;
      const res = await client.gql(SIGN_IN, { input: { email, password: TEST_PASSWORD } });
      expect(res.errors).toBeUndefined();
      expect(client.cookie).toBeDefined();
      expect(client.cookie).not.toBe(before);
    });
  });

  describe('signOut', () => {
    it('ends this session only, clears the cookie, and the old cookie no longer signs anyone in', async () => {
      const { email, userId, client } = await signUp(t);
      const other = t.anonymous();
      await other.gql(SIGN_IN, { input: { email, password: TEST_PASSWORD } });
      const oldCookie = client.cookie!;

      const res = await client.gql(SIGN_OUT);
      expect(res.errors).toBeUndefined();
      expect(res.data.signOut).toBe(true);
      const cleared = sessionSetCookie(res);
      expect(cleared).toBeDefined();
      expect(cookieValue(cleared!)).toBe('');
      expect(attributes(cleared!)).toEqual(expect.arrayContaining(['max-age=0', 'httponly', 'path=/']));

      const replayed = await t.anonymous().gql(VIEWER, {}, { cookie: oldCookie });
      expect(replayed.errors).toBeUndefined();
      expect(replayed.data.viewer).toBeNull();

      const session = await t.app.deps.db
        .selectFrom('sessions')
        .select('revoked_at')
        .where('token_hash', '=', sha256Hex(oldCookie.slice('tt_session='.length)))
        .executeTakeFirstOrThrow();
      expect(session.revoked_at).not.toBeNull();

      // The other browser is still signed in.
      expect((await other.gql(VIEWER)).data.viewer?.id).toBe(userId);
    });

    it('clears a Secure cookie with a Secure header behind an https proxy', async () => {
      const { client } = await signUp(strict, uniqueEmail(), { 'x-forwarded-proto': 'https' });
      const res = await client.gql(SIGN_OUT, {}, { 'x-forwarded-proto': 'https' });
      expect(res.data.signOut).toBe(true);
      expect(attributes(sessionSetCookie(res)!)).toEqual(expect.arrayContaining(['max-age=0', 'secure']));
    });
  });

  describe('sign-in rate limiting', () => {
    function expectRateLimited(res: GraphQLResponse) {
      expect(res.errors?.[0]?.extensions?.code).toBe('RATE_LIMITED');
      expect(res.status).toBe(429);
      const retryAfter = Number(res.headers.get('retry-after'));
      expect(retryAfter).toBeGreaterThan(0);
      expect(retryAfter).toBeLessThanOrEqual(15 * 60);
      expect(sessionSetCookie(res)).toBeUndefined();
    }

    it('locks one e-mail after 3 failures, from any IP and in any case, even for the right password', async () => {
      const { email, userId } = await signUp(strict);
      for (let i = 0; i < 3; i++) {
        // A new IP each time: moving between addresses must not reset the e-mail's count.
        const variant = i === 1 ? email.toUpperCase() : email;
        const res = await signIn(strict, variant, `wrong password ${i}`, { 'x-forwarded-for': randomIp() });
        expect(res.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
      }
      const locked = await signIn(strict, email, TEST_PASSWORD, { 'x-forwarded-for': randomIp() });
      expectRateLimited(locked);
      expect(locked.errors?.[0]?.message).toMatch(/too many/i);

      // The lock is on that e-mail only: another account still signs in.
      const other = await signUp(strict);
      const ok = await signIn(strict, other.email, TEST_PASSWORD, { 'x-forwarded-for': randomIp() });
      expect(ok.errors).toBeUndefined();
      expect(ok.data.signIn.user.id).toBe(other.userId);
      expect(ok.data.signIn.user.id).not.toBe(userId);
    });

    it('forgets an e-mail\'s failures after a successful sign-in', async () => {
      const { email } = await signUp(strict);
      for (let i = 0; i < 2; i++) await signIn(strict, email, 'wrong password', { 'x-forwarded-for': randomIp() });
      expect((await signIn(strict, email, TEST_PASSWORD, { 'x-forwarded-for': randomIp() })).errors).toBeUndefined();
      for (let i = 0; i < 2; i++) {
        const res = await signIn(strict, email, 'wrong password', { 'x-forwarded-for': randomIp() });
        expect(res.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
      }
    });

    it('locks one IP after 4 failures across different e-mails, while another IP may still try', async () => {
      const sprayer = randomIp();
      const victim = await signUp(strict);
      for (let i = 0; i < 4; i++) {
        const res = await signIn(strict, uniqueEmail('spray'), 'Winter2026!!', { 'x-forwarded-for': sprayer });
        expect(res.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
      }
      expectRateLimited(await signIn(strict, uniqueEmail('spray'), 'Winter2026!!', { 'x-forwarded-for': sprayer }));
      expectRateLimited(await signIn(strict, victim.email, TEST_PASSWORD, { 'x-forwarded-for': sprayer }));

      const elsewhere = await signIn(strict, uniqueEmail('spray'), 'Winter2026!!', { 'x-forwarded-for': randomIp() });
      expect(elsewhere.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
      const victimElsewhere = await signIn(strict, victim.email, TEST_PASSWORD, { 'x-forwarded-for': randomIp() });
      expect(victimElsewhere.errors).toBeUndefined();
    });

    it('lets no more than 3 guesses through when they arrive all at once', async () => {
      // A limit that checks before and counts after lets a parallel burst past it.
      const { email } = await signUp(strict);
      const results = await Promise.all(
        Array.from({ length: 12 }, (_, i) =>
          signIn(strict, email, `parallel guess ${i}`, { 'x-forwarded-for': randomIp() }),
        ),
      );
      const codes = results.map((r) => r.errors?.[0]?.extensions?.code);
      expect(codes.filter((c) => c === 'UNAUTHENTICATED').length).toBeLessThanOrEqual(3);
      expect(codes.filter((c) => c === 'RATE_LIMITED').length).toBeGreaterThanOrEqual(9);
    });
  });

  describe('logs', () => {
    it('carry neither passwords nor cookie values after sign-ups, sign-ins and their failures', async () => {
      const password = `log-probe-${randomBytes(8).toString('hex')}`;
      const wrong = `wrong-probe-${randomBytes(8).toString('hex')}`;
      secretsSeen.add(password).add(wrong);
      const email = uniqueEmail('logs');

      const up = await t.anonymous().gql(SIGN_UP, { input: { email, password } });
      expect(up.errors).toBeUndefined();
      secretsSeen.add(cookieValue(sessionSetCookie(up)!));
      const weak = await t.anonymous().gql(SIGN_UP, { input: { email: uniqueEmail(), password: 'short-pw' } });
      expect(weak.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
      secretsSeen.add('short-pw');
      expect((await signIn(t, email, wrong)).errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
      expect((await signIn(t, uniqueEmail('nobody'), wrong)).errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
      const ok = await signIn(t, email, password);
      expect(ok.errors).toBeUndefined();
      const cookie = cookieValue(sessionSetCookie(ok)!);
      secretsSeen.add(cookie);
      // A request that authenticates with the cookie, and a stale cookie.
      await new TestClient(t.app).gql(VIEWER, {}, { cookie: `tt_session=${cookie}` });
      await new TestClient(t.app).gql(VIEWER, {}, { cookie: `tt_session=${randomBytes(32).toString('base64url')}` });

      const log = logLines.join('');
      // The logger really is the app's: the events were logged, just not the secrets.
      expect(log).toContain('user signed up');
      expect(log).toContain('sign-in failed');
      expect(log).toContain('user signed in');
      for (const secret of secretsSeen) expect(log, `log contains ${secret}`).not.toContain(secret);
    });
  });
});
