import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { build } from 'vite';
import { check, E2eFailure, launchChromium, ROOT, startServer, step } from './harness';
import { runRound2 } from './round2/run-round2';

// The dashboard end to end, in Debian's Chromium against a real server on embedded PGlite:
// an owner signs up, creates a project and an API key, spans are ingested with that key, the
// trace shows in the list and its waterfall opens; a second user added as VIEWER sees traces
// but no key, member or settings controls, and the API refuses it when it tries anyway. Then
// data lifecycle: retention settings, the content access log, export downloads (content hidden
// for the viewer), erasure of one end user, and renaming and deleting the project.
// Screenshots of every page go to client/e2e/artifacts/. Exits non-zero on the first failure.

const CLIENT = join(ROOT, 'client');
const ARTIFACTS = join(CLIENT, 'e2e', 'artifacts');
const PASSWORD = 'e2e correct horse battery';
const RENDER_BUDGET_MS = 200;
const INITIAL_JS_BUDGET_KB = 150;

// --- build --------------------------------------------------------------------------------

function newest(path: string): number {
  if (!existsSync(path)) return 0;
  const info = statSync(path);
  if (!info.isDirectory()) return info.mtimeMs;
  let max = info.mtimeMs;
  for (const entry of readdirSync(path)) max = Math.max(max, newest(join(path, entry)));
  return max;
}

async function buildClientIfNeeded(): Promise<void> {
  const index = join(CLIENT, 'dist', 'index.html');
  const built = existsSync(index) ? statSync(index).mtimeMs : 0;
  const sources = Math.max(newest(join(CLIENT, 'src')), newest(join(CLIENT, 'index.html')), newest(join(CLIENT, 'vite.config.ts')));
  if (built && built >= sources && existsSync(join(CLIENT, 'dist', 'bundle-size.json'))) {
    step('client/dist is up to date');
    return;
  }
  step('building the client');
  await build({ configFile: join(CLIENT, 'vite.config.ts'), logLevel: 'warn' });
}

// --- helpers ------------------------------------------------------------------------------

let shot = 0;
async function screenshot(page: Page, name: string): Promise<void> {
  shot += 1;
  const file = join(ARTIFACTS, `${String(shot).padStart(2, '0')}-${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  step(`screenshot ${file.replace(ROOT, '')}`);
}

/** The first error code ('none' without one) of each GraphQL call, made by the page with its own session. */
function errorCodesFrom(page: Page, calls: [string, Record<string, unknown>][]): Promise<string[]> {
  // No named helpers inside evaluate(): tsx would wrap them in a __name() the page lacks.
  return page.evaluate(
    (list) =>
      Promise.all(
        list.map(([query, variables]) =>
          fetch('/graphql', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query, variables }) })
            .then((res) => res.json() as Promise<{ errors?: { extensions?: { code?: string } }[] }>)
            .then((r) => r.errors?.[0]?.extensions?.code ?? 'none'),
        ),
      ),
    calls,
  );
}

/** Console errors and CSP violations of every page: any of them fails the run. */
const pageProblems: string[] = [];
async function newPage(context: BrowserContext, who: string): Promise<Page> {
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => console.error(`CSP violation: ${e.violatedDirective} blocked ${e.blockedURI || 'inline'}`));
  });
  page.on('console', (msg) => {
    if (msg.type() !== 'error') return;
    const text = msg.text();
    // Expected: a refused request logged by the browser (the viewer's forbidden calls).
    if (/Failed to load resource/.test(text)) return;
    pageProblems.push(`${who}: ${text}`);
  });
  page.on('pageerror', (err) => pageProblems.push(`${who}: uncaught ${err.message}`));
  return page;
}

async function gql(url: string, query: string, variables: Record<string, unknown>, bearer: string): Promise<any> {
  const res = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${bearer}` },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await res.json()) as { data?: any; errors?: unknown[] };
  if (body.errors) throw new E2eFailure(`GraphQL error: ${JSON.stringify(body.errors)}`);
  return body.data;
}

const INGEST = `mutation Ingest($spans: [SpanInput!]!) { ingest(spans: $spans) { accepted rejected { index reason } } }`;

function iso(base: number, offsetMs: number): string {
  return new Date(base + offsetMs).toISOString();
}

/** One trace with nested spans, one of them failed, and a chat that carries an e-mail address. */
function checkoutTrace(base: number): Record<string, unknown>[] {
  const traceId = `trace-checkout-${randomBytes(3).toString('hex')}`;
  const trace = { name: 'checkout-flow', userId: 'user-42', sessionId: 'session-7', tags: ['e2e', 'prod'] };
  return [
    { id: `${traceId}-root`, traceId, kind: 'AGENT', name: 'checkout agent', startTime: iso(base, 0), endTime: iso(base, 1500), trace },
    {
      id: `${traceId}-llm`,
      traceId,
      parentId: `${traceId}-root`,
      kind: 'GENERATION',
      name: 'plan answer',
      model: 'gpt-4o-mini',
      provider: 'openai',
      input: { messages: [{ role: 'system', content: 'You are a helpful shop assistant.' }, { role: 'user', content: 'Send the receipt to jane.doe@example.com please' }] },
      output: { role: 'assistant', content: 'Done: the receipt is on its way.' },
      promptTokens: 120,
      completionTokens: 40,
      startTime: iso(base, 100),
      endTime: iso(base, 900),
    },
    { id: `${traceId}-search`, traceId, parentId: `${traceId}-llm`, kind: 'RETRIEVAL', name: 'search orders', input: { query: 'last order' }, output: { hits: 3 }, startTime: iso(base, 150), endTime: iso(base, 400) },
    {
      id: `${traceId}-tool`,
      traceId,
      parentId: `${traceId}-root`,
      kind: 'TOOL',
      name: 'send receipt',
      input: { to: 'jane.doe@example.com' },
      status: 'ERROR',
      statusMessage: 'SMTP timeout after 30 s',
      startTime: iso(base, 950),
      endTime: iso(base, 1450),
    },
  ];
}

function fillerTraces(base: number, count: number): Record<string, unknown>[] {
  return Array.from({ length: count }, (_, i) => ({
    id: `filler-${i}-${randomBytes(3).toString('hex')}`,
    traceId: `trace-filler-${i}-${randomBytes(3).toString('hex')}`,
    kind: 'GENERATION',
    name: 'answer question',
    model: i % 3 === 0 ? 'claude-3-5-haiku' : 'gpt-4o-mini',
    provider: i % 3 === 0 ? 'anthropic' : 'openai',
    input: { messages: [{ role: 'user', content: `question ${i}` }] },
    output: { role: 'assistant', content: `answer ${i}` },
    promptTokens: 20 + i,
    completionTokens: 10 + i,
    startTime: iso(base, -60_000 * (i + 1)),
    endTime: iso(base, -60_000 * (i + 1) + 300 + i * 10),
    trace: { name: 'answer question', userId: `user-${i % 5}`, sessionId: `s-${i % 7}` },
  }));
}

async function signUp(page: Page, url: string, name: string, email: string): Promise<void> {
  await page.goto(`${url}/signup`);
  await page.getByLabel('Name').fill(name);
  await page.getByLabel('E-mail').fill(email);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Create account' }).click();
  await page.waitForURL(/\/projects$/);
}

// --- the journey --------------------------------------------------------------------------

async function journey(browser: Browser, url: string): Promise<{ renderMs: number; frameMs: number }> {
  const ownerEmail = `owner-${randomBytes(4).toString('hex')}@example.com`;
  const viewerEmail = `viewer-${randomBytes(4).toString('hex')}@example.com`;

  const ownerContext = await browser.newContext({ viewport: { width: 1360, height: 900 } });
  const owner = await newPage(ownerContext, 'owner');

  step('anonymous visitors land on sign-in; an OAuth failure reads as a sentence');
  await owner.goto(`${url}/p/x/traces`);
  await owner.waitForURL(/\/signin\?returnTo=/);
  await owner.goto(`${url}/signin?error=oauth_state_mismatch`);
  await owner.getByText('could not be matched to this browser').waitFor();
  await screenshot(owner, 'signin');

  step('owner signs up and creates a project');
  await signUp(owner, url, 'Olivia Owner', ownerEmail);
  await owner.getByText('You are not a member of any project yet').waitFor();
  await screenshot(owner, 'projects-empty');
  await owner.getByLabel('Project name').fill('Support bot');
  await owner.getByRole('button', { name: 'Create project' }).click();
  await owner.waitForURL(/\/p\/[^/]+\/traces$/);
  const projectId = /\/p\/([^/]+)\/traces/.exec(owner.url())![1]!;
  await owner.getByText('No traces in this time range yet.').waitFor();
  await screenshot(owner, 'traces-empty');

  step('owner turns on PII redaction');
  await owner.getByRole('link', { name: 'Settings' }).click();
  await owner.getByLabel(/Redact personal data/).check();
  await owner.getByRole('button', { name: 'Save settings' }).click();
  await owner.getByText('Saved').waitFor();
  await screenshot(owner, 'settings-owner');

  step('owner creates an API key and reads the secret from the page');
  await owner.getByRole('link', { name: 'API keys' }).click();
  await owner.getByText('No API keys yet').waitFor();
  await owner.getByLabel('Key name').fill('production ingest');
  await owner.getByRole('button', { name: 'Create key' }).click();
  const secret = (await owner.getByTestId('secret').textContent())?.trim() ?? '';
  check(secret.startsWith('ttk_'), `expected an ingest key on the page, got "${secret}"`);
  await owner.getByText('it will not be shown again').waitFor();
  await owner.getByRole('cell', { name: /production ingest/ }).waitFor();
  await screenshot(owner, 'api-keys');

  step('spans are ingested with that key: a nested trace with an error, and 50 more traces');
  const now = Date.now();
  const ingested = await gql(url, INGEST, { spans: [...checkoutTrace(now - 5_000), ...fillerTraces(now - 5_000, 50)] }, secret);
  check(ingested.ingest.rejected.length === 0, `spans rejected: ${JSON.stringify(ingested.ingest.rejected)}`);

  step('the trace list renders 50 rows');
  await owner.goto(`${url}/p/${projectId}/traces`);
  await owner.locator('table.traces tbody tr').nth(49).waitFor();
  const rowCount = await owner.locator('table.traces tbody tr').count();
  check(rowCount === 50, `expected 50 rows on the first page, got ${rowCount}`);
  await owner.getByRole('link', { name: 'checkout-flow' }).waitFor();
  await owner.waitForTimeout(100);
  const timing = await owner.evaluate(() => ({
    render: performance.getEntriesByName('tt:traces-render').map((e) => e.duration),
    frame: performance.getEntriesByName('tt:traces-render-frame').map((e) => e.duration),
  }));
  const renderMs = timing.render[0] ?? NaN;
  const frameMs = timing.frame[0] ?? NaN;
  check(Number.isFinite(renderMs), 'no render measurement was recorded');
  await screenshot(owner, 'traces');

  step('filters go into the URL and narrow the list');
  await owner.getByLabel('Status').selectOption('ERROR');
  await owner.getByRole('button', { name: 'Apply' }).click();
  await owner.waitForURL(/status=ERROR/);
  await owner.waitForFunction(() => document.querySelectorAll('table.traces tbody tr').length === 1);
  await screenshot(owner, 'traces-filtered');

  step('the waterfall opens, with the error and the redaction marker');
  await owner.getByRole('link', { name: 'checkout-flow' }).click();
  await owner.waitForURL(/\/traces\/trace-checkout-/);
  await owner.locator('button.span-row').nth(3).waitFor();
  check((await owner.locator('button.span-row').count()) === 4, 'expected 4 spans in the waterfall');
  await owner.getByText('SMTP timeout after 30 s').waitFor();
  await owner.locator('button.span-row', { hasText: 'plan answer' }).click();
  await owner.locator('mark.redacted', { hasText: '[REDACTED:email]' }).first().waitFor();
  await screenshot(owner, 'trace-detail');

  step('live tail adds a trace as it arrives');
  await owner.goto(`${url}/p/${projectId}/traces`);
  await owner.getByRole('link', { name: 'checkout-flow' }).waitFor();
  await owner.getByRole('switch').check();
  await owner.waitForTimeout(500);
  await gql(url, INGEST, { spans: [{ id: `live-${randomBytes(3).toString('hex')}`, traceId: `trace-live-${randomBytes(3).toString('hex')}`, kind: 'SPAN', name: 'live one', startTime: new Date().toISOString(), endTime: new Date(Date.now() + 50).toISOString(), trace: { name: 'live-arrival' } }] }, secret);
  await owner.getByRole('link', { name: 'live-arrival' }).waitFor({ timeout: 10_000 });
  await owner.getByRole('switch').uncheck();

  step('owner rotates the key with a grace period, then revokes the new one after confirming');
  await owner.getByRole('link', { name: 'API keys' }).click();
  await owner.getByRole('button', { name: 'Rotate' }).first().click();
  const rotated = (await owner.getByTestId('secret').textContent())?.trim() ?? '';
  check(rotated.startsWith('ttk_') && rotated !== secret, 'rotating did not show a new secret');
  await owner.getByRole('button', { name: 'I have stored it' }).click();
  await owner.locator('table tbody tr').nth(1).waitFor();
  await owner.getByRole('button', { name: 'Revoke' }).first().click();
  await owner.getByRole('button', { name: 'Revoke key' }).click();
  await owner.getByText('revoked', { exact: true }).waitFor();
  await screenshot(owner, 'api-keys-rotated');

  step('usage charts load on demand');
  await owner.getByRole('link', { name: 'Usage' }).click();
  await owner.locator('canvas').first().waitFor();
  await owner.getByRole('cell', { name: 'gpt-4o-mini' }).waitFor();
  await owner.waitForTimeout(300);
  await screenshot(owner, 'usage');

  step('a second user signs up separately; the owner adds them as VIEWER');
  const viewerContext = await browser.newContext({ viewport: { width: 1360, height: 900 } });
  const viewer = await newPage(viewerContext, 'viewer');
  await signUp(viewer, url, 'Victor Viewer', viewerEmail);

  await owner.getByRole('link', { name: 'Members' }).click();
  await owner.getByLabel('E-mail of an existing account').fill(viewerEmail);
  await owner.locator('select[name=memberRole]').selectOption('VIEWER');
  await owner.getByRole('button', { name: 'Add member' }).click();
  await owner.getByText(viewerEmail).waitFor();
  await owner.getByText('The last owner').waitFor();
  await screenshot(owner, 'members-owner');

  await owner.getByRole('link', { name: 'Audit log' }).click();
  await owner.getByRole('cell', { name: 'member.add' }).first().waitFor();
  await screenshot(owner, 'audit-log');

  step('owner creates a personal access token on the account page');
  await owner.goto(`${url}/account`);
  await owner.getByText('this browser').waitFor();
  await owner.getByLabel('Token name').fill('reporting');
  await owner.getByRole('button', { name: 'Create token' }).click();
  const pat = (await owner.getByTestId('secret').textContent())?.trim() ?? '';
  check(pat.startsWith('ttp_'), `expected a personal access token, got "${pat}"`);
  await screenshot(owner, 'account');

  step('the viewer sees the traces, and no key, member or settings controls');
  await viewer.goto(`${url}/p/${projectId}/traces`);
  await viewer.getByRole('link', { name: 'checkout-flow' }).waitFor();
  const nav = viewer.getByRole('navigation', { name: 'Project' });
  check((await nav.getByRole('link', { name: 'API keys' }).count()) === 0, 'a VIEWER sees the API keys tab');
  check((await nav.getByRole('link', { name: 'Audit log' }).count()) === 0, 'a VIEWER sees the audit log tab');
  await screenshot(viewer, 'viewer-traces');

  await viewer.getByRole('link', { name: 'checkout-flow' }).click();
  await viewer.locator('button.span-row', { hasText: 'plan answer' }).click();
  await viewer.getByText('Send the receipt to').waitFor();

  await nav.getByRole('link', { name: 'Members' }).click();
  await viewer.getByText('Olivia Owner').waitFor();
  check((await viewer.getByRole('form', { name: 'Add a member' }).count()) === 0, 'a VIEWER sees the add-member form');
  check((await viewer.locator('table select').count()) === 0, 'a VIEWER sees role selectors');
  check((await viewer.getByRole('button', { name: 'Remove' }).count()) === 0, 'a VIEWER sees Remove buttons');
  check((await viewer.getByText(ownerEmail).count()) === 0, 'a VIEWER sees e-mail addresses of members');
  await screenshot(viewer, 'viewer-members');

  await nav.getByRole('link', { name: 'Settings' }).click();
  await viewer.getByText('only admins and owners can change them').waitFor();
  check((await viewer.getByRole('button', { name: 'Save settings' }).count()) === 0, 'a VIEWER sees the Save settings button');
  check(await viewer.getByLabel(/Redact personal data/).isDisabled(), 'a VIEWER can edit the settings');
  await screenshot(viewer, 'viewer-settings');

  await viewer.goto(`${url}/p/${projectId}/keys`);
  await viewer.getByText('Only admins and owners of this project can see api keys').waitFor();
  check((await viewer.getByRole('button', { name: 'Create key' }).count()) === 0, 'a VIEWER sees the Create key button');

  step('the API refuses the viewer anyway');
  const refused = await errorCodesFrom(viewer, [
    ['mutation($p: ID!) { createApiKey(projectId: $p, name: "sneaky") { secret } }', { p: projectId }],
    ['query($p: ID!) { project(id: $p) { apiKeys { id } } }', { p: projectId }],
    ['mutation($p: ID!) { updateProjectSettings(projectId: $p, input: { piiRedaction: false }) { id } }', { p: projectId }],
  ]);
  check(refused.every((c) => c === 'FORBIDDEN'), `expected FORBIDDEN for the viewer's createApiKey / apiKeys / updateProjectSettings, got ${refused.join(', ')}`);

  step('content restricted to admins shows as hidden for the viewer, not as an error');
  await owner.goto(`${url}/p/${projectId}/settings`);
  await owner.getByLabel(/Only admins and owners can read/).check();
  await owner.getByRole('button', { name: 'Save settings' }).click();
  await owner.getByText('Saved').waitFor();
  await viewer.goto(`${url}/p/${projectId}/traces`);
  await viewer.getByRole('link', { name: 'checkout-flow' }).click();
  await viewer.locator('button.span-row', { hasText: 'plan answer' }).click();
  await viewer.getByText('Hidden by project settings').first().waitFor();
  check((await viewer.locator('.notice.error').count()) === 0, 'hidden content shows as an error');
  await screenshot(viewer, 'viewer-trace-hidden');

  step('owner sets retention and turns the content access log on; the viewer sees both, read-only');
  await owner.goto(`${url}/p/${projectId}/settings`);
  await owner.locator('input[name=contentDays]').fill('30');
  await owner.locator('input[name=traceDays]').fill('365');
  await owner.getByLabel(/Record every read of span content/).check();
  await owner.getByRole('button', { name: 'Save settings' }).click();
  await owner.getByText('Saved').waitFor();
  await owner.reload();
  check((await owner.locator('input[name=contentDays]').inputValue()) === '30', 'content retention did not survive a reload');
  check(await owner.getByLabel(/Record every read of span content/).isChecked(), 'the access-log setting did not survive a reload');
  await screenshot(owner, 'settings-retention');
  await viewer.goto(`${url}/p/${projectId}/settings`);
  await viewer.locator('input[name=contentDays]').waitFor();
  check((await viewer.locator('input[name=traceDays]').inputValue()) === '365', 'the viewer does not see the retention');
  check(await viewer.locator('input[name=contentDays]').isDisabled(), 'a VIEWER can edit retention');
  check((await viewer.getByRole('button', { name: 'Delete project' }).count()) === 0, 'a VIEWER sees Delete project');
  check((await viewer.getByRole('button', { name: 'Rename' }).count()) === 0, 'a VIEWER sees Rename');

  step('a content read is recorded and shows on the Content access page');
  await owner.goto(`${url}/p/${projectId}/traces`);
  await owner.getByRole('link', { name: 'checkout-flow' }).click();
  await owner.locator('button.span-row', { hasText: 'plan answer' }).click();
  await owner.locator('mark.redacted').first().waitFor();
  await owner.getByRole('navigation', { name: 'Project' }).getByRole('link', { name: 'Content access' }).click();
  await owner.getByRole('link', { name: /^trace-checkout-/ }).first().waitFor();
  await screenshot(owner, 'content-access');
  check((await nav.getByRole('link', { name: 'Content access' }).count()) === 0, 'a VIEWER sees the Content access tab');

  step('the export buttons download what the list shows; the viewer gets content as "hidden"');
  const readDownload = async (page: Page, name: string): Promise<string> => {
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name }).click()]);
    return readFileSync((await download.path())!, 'utf8');
  };
  await owner.goto(`${url}/p/${projectId}/traces?user=user-2`);
  await owner.locator('table.traces tbody tr').nth(9).waitFor();
  const ownerExport = (await readDownload(owner, 'JSON lines')).trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
  check(ownerExport.length === 10 && ownerExport.every((r) => r.userId === 'user-2'), `the owner's export of user-2 has ${ownerExport.length} rows`);
  check(ownerExport.every((r) => r.contentStatus === 'AVAILABLE' && typeof r.input === 'object'), 'the owner’s export lacks content');
  const csv = await readDownload(owner, 'CSV');
  check(csv.split('\n')[0]!.startsWith('traceId,traceName,userId'), 'the CSV export has no header row');
  await viewer.goto(`${url}/p/${projectId}/traces?user=user-2`);
  await viewer.locator('table.traces tbody tr').nth(9).waitFor();
  check((await viewer.getByRole('button', { name: /Erase this user/ }).count()) === 0, 'a VIEWER is offered to erase a user');
  const viewerExport = (await readDownload(viewer, 'JSON lines')).trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
  check(viewerExport.length === 10 && viewerExport.every((r) => r.contentStatus === 'HIDDEN' && r.input === 'hidden'), 'the viewer’s export shows content');

  step('owner erases one end user after typing the id');
  await owner.getByRole('button', { name: /Erase this user/ }).click();
  const eraseButton = owner.getByRole('button', { name: 'Erase every trace of this user' });
  check(await eraseButton.isDisabled(), 'erasure runs without the typed confirmation');
  await owner.getByLabel(/to confirm/).fill('user-2');
  await eraseButton.click();
  await owner.getByText('Erased 10 traces and 10 spans of user “user-2”.').waitFor();
  await owner.getByText('No traces match these filters.').waitFor();
  await screenshot(owner, 'erased-user');

  step('the API refuses the viewer the new admin calls too');
  const refusedToo = await errorCodesFrom(viewer, [
    ['mutation($p: ID!) { eraseEndUser(projectId: $p, userId: "user-1") { traces } }', { p: projectId }],
    ['mutation($p: ID!) { renameProject(projectId: $p, name: "mine now") { id } }', { p: projectId }],
    ['mutation($p: ID!) { deleteProject(projectId: $p) }', { p: projectId }],
    ['query($p: ID!) { project(id: $p) { contentAccessLog { totalCount } } }', { p: projectId }],
  ]);
  check(refusedToo.every((c) => c === 'FORBIDDEN'), `expected FORBIDDEN for the viewer's erase / rename / delete / access log, got ${refusedToo.join(', ')}`);

  step('the viewer signs out');
  await viewer.getByRole('button', { name: 'Sign out' }).click();
  await viewer.waitForURL(/\/signin/);
  const after = await viewer.evaluate(async () => (await (await fetch('/graphql', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"query":"{ viewer { id } }"}' })).json()) as { data: { viewer: unknown } });
  check(after.data.viewer === null, 'the session survived sign-out');

  step('owner renames the project, then deletes it after typing its name');
  await owner.goto(`${url}/p/${projectId}/settings`);
  await owner.getByLabel('Project name').fill('Support bot (old)');
  await owner.getByRole('button', { name: 'Rename' }).click();
  await owner.getByText('Renamed', { exact: true }).waitFor();
  await owner.getByRole('button', { name: 'Delete project' }).click();
  // The confirmation asks for the name as it is now.
  await owner.getByRole('form', { name: 'Delete project' }).locator('code', { hasText: 'Support bot (old)' }).waitFor();
  const deleteButton = owner.getByRole('button', { name: 'Delete this project and all its data' });
  await owner.getByLabel(/to confirm/).fill('Support bot');
  check(await deleteButton.isDisabled(), 'deletion accepted a name that does not match');
  await owner.getByLabel(/to confirm/).fill('Support bot (old)');
  await screenshot(owner, 'delete-project');
  await deleteButton.click();
  await owner.waitForURL(/\/projects$/);
  await owner.getByText('You are not a member of any project yet').waitFor();

  await ownerContext.close();
  await viewerContext.close();
  return { renderMs, frameMs };
}

async function main(): Promise<void> {
  // Fresh screenshots only: a renamed step must not leave an old picture behind.
  rmSync(ARTIFACTS, { recursive: true, force: true });
  mkdirSync(ARTIFACTS, { recursive: true });
  await buildClientIfNeeded();
  const size = JSON.parse(readFileSync(join(CLIENT, 'dist', 'bundle-size.json'), 'utf8')) as { initialJsGzipBytes: number };
  const initialKb = size.initialJsGzipBytes / 1024;

  step('starting the server on embedded PGlite');
  const server = await startServer();
  step(`server at ${server.url}`);
  let browser: Browser | undefined;
  try {
    const headers = await fetch(`${server.url}/`).then((r) => r.headers);
    check(/script-src 'self'/.test(headers.get('content-security-policy') ?? ''), 'the dashboard is served without its CSP');
    browser = await launchChromium();
    // E2E_ONLY=round2 skips the first journey (while working on the cases of issue 16).
    const onlyRound2 = process.env.E2E_ONLY === 'round2';
    const { renderMs, frameMs } = onlyRound2 ? { renderMs: 0, frameMs: 0 } : await journey(browser, server.url);
    check(pageProblems.length === 0, `the pages logged errors:\n  ${pageProblems.join('\n  ')}`);
    const round2Failures = await runRound2({ url: server.url, browser, newPage, screenshot, step, pageProblems });
    check(round2Failures.length === 0, `${round2Failures.length} case(s) failed:\n  ${round2Failures.join('\n  ')}`);
    check(pageProblems.length === 0, `the pages logged errors:\n  ${pageProblems.join('\n  ')}`);
    console.log('');
    console.log(`e2e: initial JS ${initialKb.toFixed(1)} KB gzipped (budget ${INITIAL_JS_BUDGET_KB} KB)`);
    console.log(`e2e: trace list of 50 rows rendered ${renderMs.toFixed(1)} ms after its data arrived (DOM updated; ${frameMs.toFixed(1)} ms to the next frame; budget ${RENDER_BUDGET_MS} ms)`);
    check(initialKb <= INITIAL_JS_BUDGET_KB, `initial JS is over budget: ${initialKb.toFixed(1)} KB`);
    check(renderMs < RENDER_BUDGET_MS, `the 50-row trace list took ${renderMs.toFixed(1)} ms to render`);
    console.log('e2e: passed');
  } catch (err) {
    if (pageProblems.length) console.error(`page errors:\n  ${pageProblems.join('\n  ')}`);
    console.error(`server output (last lines):\n${server.output.join('').split('\n').slice(-30).join('\n')}`);
    throw err;
  } finally {
    await browser?.close();
    await server.stop();
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(`\ne2e FAILED: ${err instanceof Error ? err.message : String(err)}`);
    if (!(err instanceof E2eFailure) && err instanceof Error && err.stack) console.error(err.stack);
    process.exit(1);
  },
);
