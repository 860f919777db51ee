import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../config';
import { createTestApp, TEST_PASSWORD, uniqueEmail, type TestApp } from '../testing/test-app';

// Sign-up answers whether an e-mail has an account ("already exists"), and each attempt costs a
// bcrypt hash. Like sign-in, it is limited per IP: past TOKENTRACE_SIGNUP_MAX_PER_IP attempts in
// the window, an address gets RATE_LIMITED (HTTP 429) and no answer about any e-mail.

const SIGN_UP = 'mutation($input: SignUpInput!) { signUp(input: $input) { user { id } } }';

describe('sign-up rate limit per IP', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ TRUST_PROXY: 'true', TOKENTRACE_SIGNUP_MAX_PER_IP: '3' });
  });
  afterAll(() => t.close());

  const signUp = (email: string, ip: string) =>
    t.anonymous().gql(SIGN_UP, { input: { email, password: TEST_PASSWORD } }, { 'x-forwarded-for': ip });

  it('counts every attempt from an address, answered or not, and then refuses it alone', async () => {
    const taken = uniqueEmail('taken');
    expect((await signUp(taken, '10.9.0.1')).errors).toBeUndefined();
    // The enumeration probe: an existing address is answered, until the budget is spent.
    expect((await signUp(taken, '10.9.0.1')).errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect((await signUp('not an address', '10.9.0.1')).errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');

    for (const email of [taken, uniqueEmail('fresh')]) {
      const refused = await signUp(email, '10.9.0.1');
      expect(refused.status).toBe(429);
      expect(refused.errors?.map((e) => e.extensions?.code)).toEqual(['RATE_LIMITED']);
      expect(refused.errors?.[0]?.message).not.toMatch(/exists/);
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    }
    // Another address keeps its own budget.
    expect((await signUp(uniqueEmail('other'), '10.9.0.2')).errors).toBeUndefined();
  });

  it('is a validated setting, 10 per 15 minutes by default', () => {
    expect(loadConfig({}).signUpsPerIp).toBe(10);
    expect(loadConfig({ TOKENTRACE_SIGNUP_MAX_PER_IP: '25' }).signUpsPerIp).toBe(25);
    expect(() => loadConfig({ TOKENTRACE_SIGNUP_MAX_PER_IP: '0' })).toThrow(/TOKENTRACE_SIGNUP_MAX_PER_IP/);
  });
});
