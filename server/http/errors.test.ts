import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, TEST_PASSWORD, uniqueEmail, type TestApp } from '../testing/test-app';

describe('error masking', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  it('answers a client mistake with its code and message', async () => {
    const res = await t.anonymous().gql('mutation($i: SignUpInput!) { signUp(input: $i) { user { id } } }', {
      i: { email: uniqueEmail(), password: 'short' },
    });
    expect(res.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(res.errors?.[0]?.message).toMatch(/at least 10 characters/);
  });

  it('names a variable of the wrong type as BAD_USER_INPUT', async () => {
    const res = await t.anonymous().gql('mutation($i: SignUpInput!) { signUp(input: $i) { user { id } } }', {
      i: { email: 42 },
    });
    expect(res.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('masks an unexpected failure: no SQL, no stack, a generic code', async () => {
    const broken = await createTestApp();
    await broken.app.dbHandle.close(); // every query now fails inside the driver
    const res = await broken.anonymous().gql('mutation($i: SignUpInput!) { signUp(input: $i) { user { id } } }', {
      i: { email: uniqueEmail(), password: TEST_PASSWORD },
    });
    const text = JSON.stringify(res.errors);
    expect(res.errors?.[0]?.extensions?.code).toBe('INTERNAL_SERVER_ERROR');
    expect(res.errors?.[0]?.message).toBe('Unexpected error.');
    expect(text).not.toMatch(/insert|select|users|stack|at .*\.ts/i);
  });
});
