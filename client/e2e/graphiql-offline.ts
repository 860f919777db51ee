import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { check, launchChromium, ROOT, startServer, step } from './harness';

// GraphiQL with the network cut off: every request to a host other than the local server is
// aborted (and recorded), and the browser cannot resolve any other name. The page must load
// from the server's own assets under its strict CSP, show the editor, and run a query.
// Exits non-zero on the first failure.

const LOCAL_HOSTS = new Set(['127.0.0.1', 'localhost']);
// No name but localhost resolves: a request that slipped past the route below fails too.
const NO_DNS = '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1';
const ARTIFACTS = join(ROOT, 'client', 'e2e', 'artifacts');

async function typeQuery(page: Page, query: string): Promise<void> {
  const editor = page.locator('.graphiql-query-editor .monaco-editor').first();
  await editor.waitFor({ timeout: 30_000 });
  await editor.click();
  await page.keyboard.press('ControlOrMeta+A');
  await page.keyboard.press('Delete');
  await page.keyboard.insertText(query);
}

async function runQueryInGraphiQL(page: Page, query: string): Promise<string> {
  await typeQuery(page, query);
  await page.getByRole('button', { name: /Execute query/i }).click();
  const result = page.locator('.graphiql-response');
  await result.getByText('"queryType"').waitFor({ timeout: 15_000 });
  return (await result.textContent()) ?? '';
}

async function main(): Promise<void> {
  step('starting the server on embedded PGlite');
  const server = await startServer();
  const browser = await launchChromium([NO_DNS]);
  const external: string[] = [];
  const problems: string[] = [];
  try {
    const context = await browser.newContext({ viewport: { width: 1360, height: 900 } });
    await context.route('**/*', (route) => {
      const url = new URL(route.request().url());
      if (url.protocol === 'data:' || url.protocol === 'blob:' || LOCAL_HOSTS.has(url.hostname)) return route.continue();
      external.push(url.href);
      return route.abort('internetdisconnected');
    });
    step('the network is really cut: an external fetch fails and is recorded');
    const probe = await context.newPage();
    await probe.goto(`${server.url}/healthz`);
    const reached = await probe.evaluate(() => fetch('https://example.com/', { mode: 'no-cors' }).then(() => true, () => false));
    check(!reached && external.length === 1, `an external request was not cut off (reached: ${reached}, recorded: ${external.join(', ')})`);
    external.length = 0;
    await probe.close();

    const page = await context.newPage();
    await page.addInitScript(() => {
      document.addEventListener('securitypolicyviolation', (e) => console.error(`CSP violation: ${e.violatedDirective} blocked ${e.blockedURI || 'inline'}`));
    });
    page.on('console', (msg) => {
      if (msg.type() === 'error') problems.push(msg.text());
    });
    page.on('pageerror', (err) => problems.push(`uncaught ${err.message}`));

    step('GraphiQL opens from local assets');
    const response = await page.goto(`${server.url}/graphql`);
    check(response?.status() === 200, `GET /graphql answered ${response?.status()}`);
    const csp = response.headers()['content-security-policy'] ?? '';
    check(/script-src 'self'(;|$)/.test(csp), `GraphiQL is served without a strict script-src: ${csp}`);
    check(!/unsafe-inline|unsafe-eval/.test(csp), `GraphiQL's CSP allows unsafe-*: ${csp}`);

    step('the editor knows the schema (introspection, and the GraphQL worker runs): an unknown field is marked');
    await typeQuery(page, '{ noSuchField }');
    await page.locator('.graphiql-query-editor .squiggly-error').first().waitFor({ timeout: 15_000 });

    step('a query runs and its result shows');
    const started = Date.now();
    const text = await runQueryInGraphiQL(page, '{ __schema { queryType { name } } }');
    check(/"name":\s*"Query"/.test(text), `unexpected result pane: ${text.slice(0, 300)}`);
    step(`query answered in GraphiQL ${Date.now() - started} ms after typing began`);
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, 'graphiql-offline.png') });

    check(external.length === 0, `GraphiQL asked for external resources:\n  ${external.join('\n  ')}`);
    check(problems.length === 0, `the page logged errors:\n  ${problems.join('\n  ')}`);
    console.log('e2e: GraphiQL offline passed');
  } catch (err) {
    if (problems.length) console.error(`page errors:\n  ${problems.join('\n  ')}`);
    if (external.length) console.error(`external requests:\n  ${external.join('\n  ')}`);
    throw err;
  } finally {
    await browser.close();
    await server.stop();
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(`\ne2e FAILED: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  },
);
