import type { Page } from 'playwright-core';
import { createIngestKey, createProject, ingest, iso, rid, signUpIn } from '../api';
import { type E2eCase, eventually, expect } from '../harness';

// Find (issue 16): sort the list by cost / duration / tokens in both directions, substring and
// metadata filters, the count, and a link that opens a trace at a span.

const DESKTOP = { width: 1360, height: 900 };
const names = (page: Page) => page.locator('table.traces tbody tr td.name a').allTextContents();

export const findCases: E2eCase[] = [
  {
    name: 'find: sort by cost and duration both ways, filter by part of a name, model or metadata, and count',
    async run(h) {
      const context = await h.browser.newContext({ viewport: DESKTOP });
      await signUpIn(context, h.url, 'Finder');
      const projectId = await createProject(context, h.url, 'Find things');
      const secret = await createIngestKey(context, h.url, projectId);
      const now = Date.now();
      const trace = (name: string, model: string, prompt: number, durationMs: number, i: number, metadata?: Record<string, unknown>) => ({
        id: `${name}-${rid()}`,
        traceId: `${name}-${rid()}`,
        kind: 'GENERATION',
        name: 'call',
        model,
        promptTokens: prompt,
        completionTokens: 10,
        startTime: iso(now - 60_000 * (i + 1)),
        endTime: iso(now - 60_000 * (i + 1) + durationMs),
        trace: { name, ...(metadata ? { metadata } : {}) },
      });
      await ingest(context, h.url, secret, [
        trace('checkout-small', 'gpt-4o-mini', 100, 200, 0, { tier: 'gold' }),
        trace('checkout-big', 'gpt-4o', 20_000, 4_000, 1, { tier: 'silver' }),
        trace('search', 'gpt-4o', 5_000, 900, 2),
        trace('summarize', 'claude-3-5-haiku', 8_000, 2_500, 3, { tier: 'gold' }),
        trace('mystery', 'acme-llm-9000', 1_000, 100, 4),
      ]);
      const page = await h.newPage(context, 'find');
      await page.goto(`${h.url}/p/${projectId}/traces`);
      await page.getByTestId('trace-count').filter({ hasText: '5 traces' }).waitFor();

      await page.getByRole('button', { name: /^Cost/ }).click();
      await page.waitForURL(/sort=costliest/);
      await eventually(() => names(page), (n) => n[0] === 'checkout-big', (n) => `most expensive first: ${n.join(', ')}`);
      expect((await names(page)).at(-1) === 'mystery', 'the unpriced trace should come last');
      await page.getByRole('button', { name: /^Cost/ }).click();
      await page.waitForURL(/sort=cheapest/);
      await eventually(() => names(page), (n) => n.join() === 'checkout-small,summarize,search,checkout-big,mystery', (n) => `cheapest first, unknown last: ${n.join(', ')}`);
      await h.screenshot(page, 'find-sorted-by-cost');
      await page.getByRole('button', { name: /^Latency/ }).click();
      await eventually(() => names(page), (n) => n[0] === 'checkout-big' && n.at(-1) === 'mystery', (n) => `slowest first: ${n.join(', ')}`);

      await page.getByLabel('Name').fill('CHECK');
      await page.getByRole('button', { name: 'Apply' }).click();
      await eventually(() => names(page), (n) => n.length === 2 && n.every((x) => x.startsWith('checkout')), (n) => `name contains "check": ${n.join(', ')}`);
      await page.getByTestId('trace-count').filter({ hasText: '2 traces' }).waitFor();
      await page.getByLabel('Name').fill('');
      await page.getByLabel('Model').fill('4o');
      await page.getByLabel('Metadata').fill('tier=gold');
      await page.getByRole('button', { name: 'Apply' }).click();
      await page.waitForURL(/meta=tier%3Dgold/);
      await eventually(() => names(page), (n) => n.join() === 'checkout-small', (n) => `model contains 4o and tier=gold: ${n.join(', ')}`);
      await h.screenshot(page, 'find-filtered');
      await context.close();
    },
  },
  {
    name: 'find: beyond 10,000 matching traces the count reads "10,000+"',
    async run(h) {
      const context = await h.browser.newContext({ viewport: DESKTOP });
      await signUpIn(context, h.url, 'Counter');
      const projectId = await createProject(context, h.url, 'Many traces');
      const secret = await createIngestKey(context, h.url, projectId);
      const start = Date.now() - 3_600_000;
      for (let batch = 0; batch < 11; batch++) {
        const spans = Array.from({ length: batch === 10 ? 1 : 1000 }, (_, i) => {
          const n = batch * 1000 + i;
          return { id: `c-${n}`, traceId: `t-${n}`, kind: 'SPAN', name: 'tick', startTime: iso(start + n * 10), endTime: iso(start + n * 10 + 5) };
        });
        await ingest(context, h.url, secret, spans);
      }
      const page = await h.newPage(context, 'count');
      await page.goto(`${h.url}/p/${projectId}/traces`);
      await page.getByTestId('trace-count').filter({ hasText: '10,000+ traces' }).waitFor();
      await context.close();
    },
  },
  {
    name: 'find: the selected span is in the URL, and a link opens the trace at that span',
    async run(h) {
      const context = await h.browser.newContext({ viewport: DESKTOP });
      await signUpIn(context, h.url, 'Linker');
      const projectId = await createProject(context, h.url, 'Links');
      const secret = await createIngestKey(context, h.url, projectId);
      const now = Date.now();
      const traceId = `linked-${rid()}`;
      await ingest(context, h.url, secret, [
        { id: `${traceId}-root`, traceId, kind: 'AGENT', name: 'agent', startTime: iso(now - 5000), endTime: iso(now - 1000), trace: { name: 'linked trace' } },
        { id: `${traceId}-a`, traceId, parentId: `${traceId}-root`, kind: 'TOOL', name: 'first tool', startTime: iso(now - 4800), endTime: iso(now - 4000) },
        { id: `${traceId}-b`, traceId, parentId: `${traceId}-root`, kind: 'TOOL', name: 'second tool', startTime: iso(now - 3800), endTime: iso(now - 3000) },
      ]);
      const page = await h.newPage(context, 'span-link');
      await page.goto(`${h.url}/p/${projectId}/traces/${traceId}`);
      await page.locator('button.span-row', { hasText: 'second tool' }).click();
      await page.waitForURL(new RegExp(`span=${traceId}-b`));
      const link = page.url();
      const other = await h.newPage(context, 'span-link-2');
      await other.goto(link);
      await other.locator('#span-title', { hasText: 'second tool' }).waitFor();
      expect((await other.locator('button.span-row', { hasText: 'second tool' }).getAttribute('aria-pressed')) === 'true', 'the linked span is not the selected one');
      await h.screenshot(other, 'find-span-link');
      await context.close();
    },
  },
];
