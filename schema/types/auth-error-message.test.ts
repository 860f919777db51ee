import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OAUTH_ERROR_MESSAGES } from '../../server/services/oauth-sign-in';
import { createTestApp, type TestApp } from '../../server/testing/test-app';

// The sign-in page shows the server's wording for the code it was redirected with.

describe('authErrorMessage', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  const ask = (code: string) => t.anonymous().gql('query($c: String!) { authErrorMessage(code: $c) }', { c: code });

  it('words every code the OAuth routes send, for an anonymous caller', async () => {
    for (const [code, message] of Object.entries(OAUTH_ERROR_MESSAGES)) {
      const res = await ask(code);
      expect(res.errors).toBeUndefined();
      expect(res.data.authErrorMessage).toBe(message);
    }
  });

  it('is null for anything else, including names inherited by every object', async () => {
    for (const code of ['<script>alert(1)</script>', 'toString', '__proto__', '']) {
      expect((await ask(code)).data.authErrorMessage).toBeNull();
    }
  });
});
