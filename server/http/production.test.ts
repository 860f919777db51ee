import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateKey } from '../../plugins/encryption/key-ring';
import { createTestApp, type TestApp } from '../testing/test-app';

describe('NODE_ENV=production', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ NODE_ENV: 'production', TOKENTRACE_ENCRYPTION_KEYS: `k1:${generateKey()}` });
  });
  afterAll(() => t.close());

  it('refuses to start without encryption keys, naming the plugin', async () => {
    await expect(createTestApp({ NODE_ENV: 'production' })).rejects.toThrow(/encryption.*TOKENTRACE_ENCRYPTION_KEYS/s);
  });

  it('refuses introspection', async () => {
    const res = await t.anonymous().gql('{ __schema { types { name } } }');
    expect(res.data?.__schema).toBeUndefined();
    expect(res.errors?.[0]?.message).toMatch(/introspection/i);
  });

  it('serves no GraphiQL page', async () => {
    const res = await t.app.yoga.fetch('http://localhost:4000/graphql', { headers: { accept: 'text/html' } });
    expect(await res.text()).not.toMatch(/graphiql/i);
  });

  it('does not suggest field names to a prober', async () => {
    const res = await t.anonymous().gql('{ viewr { id } }');
    expect(JSON.stringify(res.errors)).not.toMatch(/Did you mean/);
  });
});

describe('development', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  it('allows introspection and serves GraphiQL', async () => {
    const res = await t.anonymous().gql('{ __schema { queryType { name } } }');
    expect(res.data.__schema.queryType.name).toBe('Query');
    const page = await t.app.yoga.fetch('http://localhost:4000/graphql', { headers: { accept: 'text/html' } });
    expect(await page.text()).toMatch(/graphiql/i);
  });

  it('refuses a query with more aliases than the armor allows', async () => {
    const aliases = Array.from({ length: 16 }, (_, i) => `a${i}: viewer { id }`).join(' ');
    const res = await t.anonymous().gql(`{ ${aliases} }`);
    expect(res.data?.a0).toBeUndefined();
    expect(JSON.stringify(res.errors)).toMatch(/alias/i);
  });
});
