import { addMember, createIngestKey, createProject, ingest, iso, rid, signUpIn } from '../api';
import { type E2eCase, expect } from '../harness';

// Prices (issue 16): the Usage page lists unpriced models with a link that sets their price; an
// admin sets it and prices the spans whose cost was unknown; a span says which price applied;
// built-in prices show their source and date; a viewer reads prices but cannot set them.

const DESKTOP = { width: 1360, height: 900 };

export const priceCases: E2eCase[] = [
  {
    name: 'prices: from "Unpriced models" on Usage to a project price, unknown costs filled on request, as owner and viewer',
    async run(h) {
      const owner = await h.browser.newContext({ viewport: DESKTOP });
      await signUpIn(owner, h.url, 'Price Owner');
      const projectId = await createProject(owner, h.url, 'Pricing');
      const secret = await createIngestKey(owner, h.url, projectId);
      const now = Date.now() - 120_000;
      const traceId = `acme-${rid()}`;
      await ingest(owner, h.url, secret, [
        { id: `${traceId}-g`, traceId, kind: 'GENERATION', name: 'acme call', model: 'acme-llm-9000', promptTokens: 1_000_000, completionTokens: 0, startTime: iso(now), endTime: iso(now + 500), trace: { name: 'acme trace' } },
        { id: `mini-${rid()}`, traceId: `mini-${rid()}`, kind: 'GENERATION', name: 'mini call', model: 'gpt-4o-mini', promptTokens: 1000, completionTokens: 100, startTime: iso(now), endTime: iso(now + 500) },
      ]);
      const viewer = await h.browser.newContext({ viewport: DESKTOP });
      const { email } = await signUpIn(viewer, h.url, 'Price Viewer');
      await addMember(owner, h.url, projectId, email, 'VIEWER');

      const vp = await h.newPage(viewer, 'prices-viewer');
      await vp.goto(`${h.url}/p/${projectId}/usage?range=24h`);
      const unpricedForViewer = vp.getByRole('region', { name: 'Unpriced models' });
      await unpricedForViewer.getByText('acme-llm-9000').waitFor();
      expect((await unpricedForViewer.getByRole('link', { name: 'Set price' }).count()) === 0, 'a viewer is offered to set a price');

      const page = await h.newPage(owner, 'prices-owner');
      await page.goto(`${h.url}/p/${projectId}/usage?range=24h`);
      const unpriced = page.getByRole('region', { name: 'Unpriced models' });
      await unpriced.getByText('acme-llm-9000').waitFor();
      await h.screenshot(page, 'usage-unpriced-models');
      await unpriced.getByRole('link', { name: 'Set price' }).click();
      await page.waitForURL(/\/prices\?model=acme-llm-9000/);
      const form = page.getByRole('form', { name: 'Set a price' });
      expect((await form.getByLabel('Model').inputValue()) === 'acme-llm-9000', 'the form is not filled in with the model');
      await form.getByLabel('Input ($ / 1M tokens)').fill('2');
      await form.getByLabel('Output ($ / 1M tokens)').fill('8');
      await form.getByRole('button', { name: 'Save price' }).click();
      await form.getByText('Price saved for acme-llm-9000').waitFor();
      await form.getByRole('button', { name: 'Price its spans without a cost' }).click();
      await form.getByText('1 span of acme-llm-9000 priced').waitFor();
      await page.getByRole('table', { name: 'This project’s prices' }).getByText('acme-llm-9000').waitFor();
      await page.getByLabel('Model name').fill('gpt-4o-mini');
      await page.getByRole('button', { name: 'Look up' }).click();
      const builtIn = page.getByRole('table', { name: 'Built-in prices' });
      await builtIn.getByText('OpenAI API pricing', { exact: false }).first().waitFor();
      await builtIn.getByText('2024-07-18').first().waitFor();
      await h.screenshot(page, 'prices-owner');

      await page.goto(`${h.url}/p/${projectId}/traces/${traceId}`);
      await page.getByTestId('span-price').getByText('project price', { exact: false }).waitFor();
      expect(((await page.locator('.facts').textContent()) ?? '').includes('$2.00'), 'the acme span should now cost $2.00');
      await page.goto(`${h.url}/p/${projectId}/usage?range=24h`);
      await page.getByRole('table', { name: 'Usage by model' }).waitFor();
      expect((await page.getByRole('region', { name: 'Unpriced models' }).count()) === 0, 'acme-llm-9000 is still listed as unpriced');

      await vp.goto(`${h.url}/p/${projectId}/prices`);
      await vp.getByRole('table', { name: 'This project’s prices' }).getByText('acme-llm-9000').waitFor();
      expect((await vp.getByRole('form', { name: 'Set a price' }).count()) === 0, 'a viewer sees the price form');
      expect((await vp.getByRole('button', { name: 'Archive' }).count()) === 0, 'a viewer sees Archive buttons');
      await h.screenshot(vp, 'prices-viewer');
      await owner.close();
      await viewer.close();
    },
  },
];
