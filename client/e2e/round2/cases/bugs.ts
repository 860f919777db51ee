import type { Locator, Page } from 'playwright-core';
import { apiOf, createIngestKey, createProject, ingest, iso, PASSWORD, rid, signUpIn, uniqueEmail } from '../api';
import { type E2eCase, eventually, expect } from '../harness';

// One case per bug of issue 16. Each was run against the dashboard before its fix and failed.

const DESKTOP = { width: 1360, height: 900 };

/** Three traces: one costing ~$0.0003, one ~$0.0071, one with a model nobody prices. */
function costedTraces(now: number) {
  const gen = (trace: string, model: string, prompt: number, completion: number, offsetMs: number) => ({
    id: `${trace}-gen`,
    traceId: trace,
    kind: 'GENERATION',
    name: 'answer',
    model,
    promptTokens: prompt,
    completionTokens: completion,
    startTime: iso(now - offsetMs),
    endTime: iso(now - offsetMs + 800),
    trace: { name: trace.replace(/-[0-9a-f]+$/, '') },
  });
  return [
    gen(`cheap-${rid()}`, 'gpt-4o-mini', 1000, 200, 60_000),
    gen(`pricey-${rid()}`, 'gpt-4o', 2000, 200, 120_000),
    gen(`unpriced-${rid()}`, 'acme-llm-9000', 500, 100, 3 * 3_600_000),
  ];
}

async function ownerWithData(h: Parameters<E2eCase['run']>[0], viewport = DESKTOP) {
  const context = await h.browser.newContext({ viewport });
  await signUpIn(context, h.url, 'Bug Owner');
  const projectId = await createProject(context, h.url, 'Bug hunt');
  const secret = await createIngestKey(context, h.url, projectId);
  return { context, projectId, secret };
}

const rowsOf = (page: Page) => page.locator('table.traces tbody tr');

/** The text of `row`'s cell under the column headed `header`. */
async function cellText(page: Page, row: Locator, header: string): Promise<string> {
  const headers = (await page.locator('table.traces thead th').allTextContents()).map((t) => t.trim());
  const index = headers.findIndex((t) => t.startsWith(header));
  if (index < 0) return `(no ${header} column)`;
  return ((await row.locator('td').nth(index).textContent()) ?? '').trim();
}

export const bugCases: E2eCase[] = [
  {
    name: 'bug: the Min cost filter narrows the list (no `.trim()` on a number)',
    async run(h) {
      const { context, projectId, secret } = await ownerWithData(h);
      await ingest(context, h.url, secret, costedTraces(Date.now()));
      const page = await h.newPage(context, 'min-cost');
      const before = h.pageProblems.length;
      await page.goto(`${h.url}/p/${projectId}/traces`);
      await eventually(() => rowsOf(page).count(), (n) => n === 3, (n) => `expected 3 traces before filtering, saw ${n}`);
      await page.getByLabel('Min cost ($)').fill('0.002');
      await page.getByRole('button', { name: 'Apply' }).click();
      await page.waitForURL(/minCost=0\.002/, { timeout: 5_000 }).catch(() => {});
      expect(/minCost=0\.002/.test(page.url()), `Apply did not put minCost into the URL (${page.url()})`);
      await eventually(() => rowsOf(page).count(), (n) => n === 1, (n) => `expected only the $0.007 trace, saw ${n} rows`);
      const problems = h.pageProblems.slice(before).filter((p) => p.includes('min-cost'));
      expect(problems.length === 0, `the page logged: ${problems.join('; ')}`);
      await context.close();
    },
  },
  {
    name: 'bug: a wrong password says the e-mail or password is incorrect',
    async run(h) {
      const setup = await h.browser.newContext();
      const { email } = await signUpIn(setup, h.url, 'Wrong Password', uniqueEmail('wrongpw'));
      await setup.close();
      const context = await h.browser.newContext({ viewport: DESKTOP });
      const page = await h.newPage(context, 'wrong-password');
      await page.goto(`${h.url}/signin`);
      await page.getByLabel('E-mail').fill(email);
      await page.getByLabel('Password').fill(`${PASSWORD} but wrong`);
      await page.getByRole('button', { name: 'Sign in' }).click();
      const alert = page.getByRole('alert');
      await alert.first().waitFor();
      const text = (await alert.allTextContents()).join(' ');
      expect(/e-mail or password is incorrect/i.test(text), `the sign-in page said "${text.trim()}"`);
      await h.screenshot(page, 'bug-wrong-password');
      await context.close();
    },
  },
  {
    name: 'bug: the project switcher names a project right after it is created',
    async run(h) {
      const context = await h.browser.newContext({ viewport: DESKTOP });
      await signUpIn(context, h.url, 'Switcher User');
      // The first project: the cached (empty) project list holds no Project the mutation's result could invalidate.
      const page = await h.newPage(context, 'switcher');
      await page.goto(`${h.url}/projects`);
      await page.getByText('You are not a member of any project yet').waitFor();
      await page.getByLabel('Project name').fill('Brand new project');
      await page.getByRole('button', { name: 'Create project' }).click();
      await page.waitForURL(/\/p\/[^/]+\/traces$/);
      const selected = await eventually(
        () => page.locator('header select').first().evaluate((s) => (s as HTMLSelectElement).selectedOptions[0]?.textContent?.trim() ?? ''),
        (text) => text === 'Brand new project',
        (text) => `the switcher shows "${text}" instead of the new project`,
        5_000,
      );
      expect(selected === 'Brand new project', 'switcher');
      await context.close();
    },
  },
  {
    name: 'bug: the waterfall shows whole span names and their models',
    async run(h) {
      const { context, projectId, secret } = await ownerWithData(h);
      const now = Date.now();
      const traceId = `wf-${rid()}`;
      const models = ['gpt-4o-mini-2024-07-18', 'claude-3-5-sonnet-20241022', 'gpt-4.1-nano'];
      await ingest(context, h.url, secret, [
        { id: `${traceId}-root`, traceId, kind: 'AGENT', name: 'support agent', startTime: iso(now - 9000), endTime: iso(now - 1000), trace: { name: 'waterfall names' } },
        ...models.map((model, i) => ({
          id: `${traceId}-g${i}`,
          traceId,
          parentId: `${traceId}-root`,
          kind: 'GENERATION',
          name: 'openai.chat.completions',
          model,
          promptTokens: 10,
          completionTokens: 5,
          startTime: iso(now - 8000 + i * 2000),
          endTime: iso(now - 6500 + i * 2000),
        })),
      ]);
      const page = await h.newPage(context, 'waterfall');
      await page.goto(`${h.url}/p/${projectId}/traces/${traceId}`);
      await page.locator('button.span-row').nth(3).waitFor();
      for (let i = 1; i <= 3; i++) {
        const row = page.locator('button.span-row').nth(i);
        const facts = await row.evaluate((el) => {
          const label = el.querySelector('.label') as HTMLElement;
          const name = el.querySelector('.name') as HTMLElement;
          const model = el.querySelector('.model') as HTMLElement | null;
          // No named helpers in here: tsx would wrap them in a __name() the page lacks.
          const l = label.getBoundingClientRect();
          const n = name.getBoundingClientRect();
          const m = model ? model.getBoundingClientRect() : null;
          return {
            clipped: label.scrollWidth > label.clientWidth + 1 || name.scrollWidth > name.clientWidth + 1,
            nameInside: n.left >= l.left - 1 && n.right <= l.right + 1,
            modelText: model?.textContent?.trim() ?? '',
            modelInside: !!m && m.width > 0 && m.left >= l.left - 1 && m.right <= l.right + 1 && m.bottom <= l.bottom + 1,
            fullName: name.textContent?.trim() ?? '',
            title: el.getAttribute('title') ?? label.getAttribute('title') ?? name.getAttribute('title') ?? '',
          };
        });
        expect(facts.fullName === 'openai.chat.completions', `row ${i} reads "${facts.fullName}"`);
        expect(!facts.clipped && facts.nameInside, `row ${i}: the span name is cut off`);
        expect(facts.modelText === models[i - 1] && facts.modelInside, `row ${i}: the model "${models[i - 1]}" is hidden (shows "${facts.modelText}")`);
        expect(facts.title.includes('openai.chat.completions'), `row ${i}: no full name on hover`);
      }
      await h.screenshot(page, 'bug-waterfall-names');
      await context.close();
    },
  },
  {
    name: 'bug: unpriced models read "—" everywhere, and charts treat their cost as unknown',
    async run(h) {
      const { context, projectId, secret } = await ownerWithData(h);
      const spans = costedTraces(Date.now());
      await ingest(context, h.url, secret, spans);
      const page = await h.newPage(context, 'unpriced');
      await page.goto(`${h.url}/p/${projectId}/traces`);
      const unpricedRow = rowsOf(page).filter({ hasText: 'unpriced' });
      await unpricedRow.waitFor();
      const cost = await cellText(page, unpricedRow, 'Cost');
      expect(cost === '—', `the trace list shows "${cost}" as the cost of the unpriced trace`);

      await page.goto(`${h.url}/p/${projectId}/usage?range=24h`);
      const modelRow = page.getByRole('table', { name: 'Usage by model' }).locator('tbody tr', { hasText: 'acme-llm-9000' });
      await modelRow.waitFor();
      const cells = (await modelRow.locator('td').allTextContents()).map((t) => t.trim());
      expect(!cells.some((c) => c === '$0' || c === '0.0%'), `the usage table prices acme-llm-9000 as free: ${cells.join(' | ')}`);
      expect(cells.filter((c) => c.startsWith('—')).length >= 2, `cost and share of acme-llm-9000 should read "—": ${cells.join(' | ')}`);
      const costChart = page.locator('figure', { has: page.locator('figcaption', { hasText: /^Cost$/ }) });
      await costChart.waitFor();
      const unknownBuckets = await costChart.locator('table td', { hasText: 'unknown' }).count();
      expect(unknownBuckets >= 1, 'the cost chart draws the unpriced hour as $0 instead of unknown');
      const byModel = page.locator('figure', { has: page.locator('figcaption', { hasText: /^Cost by model$/ }) });
      const acme = byModel.locator('table tr', { hasText: 'acme-llm-9000' });
      expect(((await acme.textContent()) ?? '').includes('unknown'), 'the cost-by-model chart draws acme-llm-9000 as $0');
      await h.screenshot(page, 'bug-unpriced-usage');
      await context.close();
    },
  },
  {
    name: 'bug: chart axes read as people write numbers ($0.002, 250 ms), not $0.007000 or 0.00 ms',
    async run(h) {
      const { context, projectId, secret } = await ownerWithData(h);
      await ingest(context, h.url, secret, costedTraces(Date.now()));
      const page = await h.newPage(context, 'axes');
      await page.goto(`${h.url}/p/${projectId}/usage?range=24h`);
      await page.locator('canvas[data-value-ticks]').nth(4).waitFor({ state: 'attached' });
      const ticks = await page.locator('canvas[data-value-ticks]').evaluateAll((els) =>
        els.map((el) => ({ chart: el.getAttribute('aria-label') ?? '', ticks: JSON.parse((el as HTMLElement).dataset.valueTicks ?? '[]') as string[] })),
      );
      const bad = ticks.flatMap((c) => c.ticks.filter((t) => /\.\d*0(?!\d)/.test(t) || /^-?\$?0\.0+ /.test(t)).map((t) => `${c.chart}: "${t}"`));
      expect(ticks.length >= 5, `expected the usage charts to expose their axes, found ${ticks.length}`);
      expect(bad.length === 0, `axis labels with trailing zeros: ${bad.join(', ')}`);
      await context.close();
    },
  },
];

/** What sticks out past the viewport (not inside a scrolling box): for a failure message that says where to look. */
function widestElements(page: Page): Promise<string> {
  return page.evaluate(() => {
    const out: string[] = [];
    for (const el of Array.from(document.querySelectorAll('body *'))) {
      const r = el.getBoundingClientRect();
      if (r.right <= window.innerWidth + 1 || r.width === 0) continue;
      let clipped = false;
      for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
        const o = getComputedStyle(p).overflowX;
        if (o === 'auto' || o === 'scroll' || o === 'hidden' || o === 'clip') clipped = true;
      }
      if (!clipped) out.push(`${el.tagName.toLowerCase()}.${(el.getAttribute('class') ?? '').split(' ')[0]} → ${Math.round(r.right)}px`);
    }
    return out.slice(-3).join(', ');
  });
}

/** Pages a signed-in member can open, for the phone-width check. */
export function memberPages(projectId: string, traceId: string, sessionId = 'phone-session'): string[] {
  return [
    '/projects',
    '/account',
    ...['traces', `traces/${traceId}`, 'sessions', `sessions/${sessionId}`, 'users', 'usage', 'prices', 'keys', 'members', 'audit', 'access', 'settings'].map(
      (p) => `/p/${projectId}/${p}`,
    ),
  ];
}

export const phoneCase: E2eCase = {
  name: 'bug: every page works at 390 px (no sideways scrolling, Sign out reachable)',
  async run(h) {
    const { context, projectId, secret } = await ownerWithData(h, { width: 390, height: 844 });
    const spans = costedTraces(Date.now()).map((s) => ({ ...s, trace: { ...s.trace, sessionId: 'phone-session', userId: 'phone-user' } }));
    await ingest(context, h.url, secret, spans);
    const traceId = spans[0]!.traceId;
    // Every page with something in it: a pending invitation on Members, a content read on Content access.
    const api = apiOf(context, h.url);
    await api('mutation($p: ID!, $e: String!) { inviteProjectMember(projectId: $p, email: $e, role: VIEWER) { invitation { id } } }', { p: projectId, e: uniqueEmail('phone-invitee') });
    await api('mutation($p: ID!) { updateProjectSettings(projectId: $p, input: { auditContentReads: true }) { id } }', { p: projectId });
    await api('query($p: ID!, $t: ID!) { project(id: $p) { trace(id: $t) { spans { input } } } }', { p: projectId, t: traceId });
    const page = await h.newPage(context, 'phone');
    const failures: string[] = [];
    for (const path of memberPages(projectId, traceId)) {
      await page.goto(`${h.url}${path}`);
      await page.locator('main h1').first().waitFor();
      await page.waitForTimeout(150);
      const width = await page.evaluate(() => Math.max(document.scrollingElement?.scrollWidth ?? 0, document.documentElement.scrollWidth, document.body.scrollWidth));
      // Nothing invisible may stretch the page either (a hidden table ignores height: 1px).
      const tail = await page.evaluate(() => document.documentElement.scrollHeight - Math.max(window.innerHeight, ...Array.from(document.querySelectorAll('main *')).filter((e) => (e as HTMLElement).offsetParent !== null && !e.closest('.visually-hidden')).map((e) => e.getBoundingClientRect().bottom + window.scrollY)));
      if (tail > 200) failures.push(`${path} has ${Math.round(tail)} px of empty page below its content`);
      if (width > 390) failures.push(`${path} is ${width} px wide (${await widestElements(page)})`);
      const signOut = page.getByRole('button', { name: 'Sign out' });
      const box = (await signOut.isVisible()) ? await signOut.boundingBox() : null;
      if (!box || box.x < 0 || box.x + box.width > 390) failures.push(`${path}: Sign out is off-screen`);
      // Clickable, not only visible: nothing may cover it (trial: checks without signing out).
      else if (!(await signOut.click({ trial: true, timeout: 2_000 }).then(() => true, () => false))) failures.push(`${path}: Sign out cannot be clicked`);
      if (path.endsWith('/traces') || path.endsWith('/usage') || path.endsWith(traceId)) await h.screenshot(page, `phone-${path.split('/').filter(Boolean).slice(2, 3).join('') || 'projects'}${path.endsWith(traceId) ? '-detail' : ''}`);
    }
    for (const path of ['/signin', '/signup']) {
      const anon = await h.browser.newContext({ viewport: { width: 390, height: 844 } });
      const p = await h.newPage(anon, 'phone-anon');
      await p.goto(`${h.url}${path}`);
      await p.locator('h1').first().waitFor();
      const width = await p.evaluate(() => document.documentElement.scrollWidth);
      if (width > 390) failures.push(`${path} is ${width} px wide`);
      await anon.close();
    }
    expect(failures.length === 0, failures.join('; '));
    await context.close();
  },
};

