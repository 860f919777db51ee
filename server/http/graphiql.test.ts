import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateKey } from '../../plugins/encryption/key-ring';
import { createTestApp, type TestApp } from '../testing/test-app';
import { GRAPHIQL_ASSET_PATH } from './graphiql';

// GraphiQL from the server's own assets under a strict CSP (the browser proof with the network
// cut off is client/e2e/graphiql-offline.ts).

const BASE = 'http://localhost:4000';

describe('GraphiQL (development)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  const page = () => t.app.yoga.fetch(`${BASE}/graphql`, { headers: { accept: 'text/html' } });

  it('is a page of links to local assets: no inline script, nothing from another host', async () => {
    const res = await page();
    const html = await res.text();
    expect(res.status).toBe(200);
    const scripts = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)];
    const executable = scripts.filter(([, attrs]) => !/type="application\/json"/.test(attrs!));
    expect(executable.map(([, attrs]) => /src="([^"]+)"/.exec(attrs!)?.[1])).toEqual([
      `${GRAPHIQL_ASSET_PATH}prepare.js`,
      `${GRAPHIQL_ASSET_PATH}graphiql.js`,
      `${GRAPHIQL_ASSET_PATH}start.js`,
    ]);
    expect(executable.every(([, , body]) => body === '')).toBe(true);
    expect(html).not.toMatch(/<style/);
    expect(html).not.toMatch(/https?:\/\//);
  });

  it('sends a strict CSP whose style nonce is fresh per page and stamped on the prepare script', async () => {
    const [a, b] = await Promise.all([page(), page()]);
    const csp = a.headers.get('content-security-policy')!;
    expect(csp).toMatch(/script-src 'self'(;|$)/);
    expect(csp).not.toMatch(/unsafe-inline|unsafe-eval|https?:/);
    const nonce = /'nonce-([^']+)'/.exec(csp)![1]!;
    expect(nonce.length).toBeGreaterThanOrEqual(24);
    expect(await a.text()).toContain(`prepare.js" nonce="${nonce}"`);
    expect(b.headers.get('content-security-policy')).not.toContain(nonce);
    expect(a.headers.get('cache-control')).toBe('no-store');
  });

  it('serves its assets with long caching, and 404 for a name it does not know', async () => {
    const js = await t.app.yoga.fetch(`${BASE}${GRAPHIQL_ASSET_PATH}graphiql.js`);
    expect(js.status).toBe(200);
    expect(js.headers.get('content-type')).toMatch(/^text\/javascript/);
    expect(js.headers.get('cache-control')).toContain('immutable');
    expect((await js.text()).length).toBeGreaterThan(1_000_000);
    for (const name of ['graphiql.css', 'editor.worker.js', 'json.worker.js', 'graphql.worker.js', 'favicon.ico', 'prepare.js', 'start.js']) {
      const res = await t.app.yoga.fetch(`${BASE}${GRAPHIQL_ASSET_PATH}${name}`);
      expect(res.status, name).toBe(200);
      await res.arrayBuffer();
    }
    const missing = await t.app.yoga.fetch(`${BASE}${GRAPHIQL_ASSET_PATH}..%2Fpackage.json`);
    expect(missing.status).toBe(404);
  });

  it('leaves GraphQL over GET and POST to yoga', async () => {
    const res = await t.app.yoga.fetch(`${BASE}/graphql?query=${encodeURIComponent('{ __typename }')}`, { headers: { accept: 'application/json' } });
    expect(await res.json()).toEqual({ data: { __typename: 'Query' } });
  });
});

describe('GraphiQL (production)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ NODE_ENV: 'production', TOKENTRACE_ENCRYPTION_KEYS: `k1:${generateKey()}` });
  });
  afterAll(() => t.close());

  it('serves neither the page nor its assets', async () => {
    const res = await t.app.yoga.fetch(`${BASE}/graphql`, { headers: { accept: 'text/html' } });
    expect(await res.text()).not.toMatch(/graphiql/i);
    const asset = await t.app.yoga.fetch(`${BASE}${GRAPHIQL_ASSET_PATH}graphiql.js`);
    expect(asset.status).toBe(404);
    await asset.text();
  });
});
