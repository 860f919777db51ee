import { readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { addMember, apiOf, createIngestKey, createProject, ingest, iso, rid, signUpIn } from '../api';
import { type E2eCase, eventually, expect } from '../harness';

// The trace list's Export button (issue 14, point 4) exports exactly what the filters show —
// name and model by substring and metadata included, as the list matches them — and a VIEWER of a
// project that keeps content for admins gets no status message or metadata in the file.

const DESKTOP = { width: 1360, height: 900 };

async function download(page: Page, name: string): Promise<Record<string, unknown>[]> {
  const [file] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name }).click()]);
  return readFileSync((await file.path())!, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

export const exportCases: E2eCase[] = [
  {
    name: 'export: the Export button exports what the filters show (substrings, metadata), without admins-only fields for a viewer',
    async run(h) {
      const owner = await h.browser.newContext({ viewport: DESKTOP, acceptDownloads: true });
      await signUpIn(owner, h.url, 'Export Owner');
      const projectId = await createProject(owner, h.url, 'Exports');
      const secret = await createIngestKey(owner, h.url, projectId);
      const now = Date.now() - 60_000;
      const gen = (trace: string, name: string, model: string, extra: Record<string, unknown> = {}) => ({
        id: `${trace}-g`, traceId: trace, kind: 'GENERATION', name: 'answer', model, promptTokens: 100, completionTokens: 10,
        startTime: iso(now), endTime: iso(now + 500), trace: { name, metadata: { plan: trace.startsWith('a') ? 'pro' : 'free' } }, ...extra,
      });
      const wanted = `a-checkout-${rid()}`;
      await ingest(owner, h.url, secret, [
        gen(wanted, 'Checkout flow', 'gpt-4o-mini', { status: 'ERROR', statusMessage: 'card 4242 declined', metadata: { card: '4242' } }),
        gen(`b-checkout-${rid()}`, 'Checkout flow', 'gpt-4o-mini'),
        gen(`a-search-${rid()}`, 'Search', 'gpt-4o-mini'),
        gen(`a-checkout-${rid()}`, 'Checkout flow', 'claude-3-5-haiku'),
      ]);

      const page = await h.newPage(owner, 'export-owner');
      // What a user types in the filters: part of the name, part of the model, a metadata value.
      await page.goto(`${h.url}/p/${projectId}/traces?name=heckou&model=4o-mini&meta=${encodeURIComponent('plan=pro')}`);
      const rows = page.locator('table.traces tbody tr');
      await eventually(() => rows.count(), (n) => n === 1, (n) => `the filters should show 1 trace, the list shows ${n}`);
      const ownRows = await download(page, 'JSON lines');
      expect(ownRows.length === 1 && ownRows[0]!.traceId === wanted, `the export should hold the 1 trace shown, it holds ${JSON.stringify(ownRows.map((r) => r.traceId))}`);
      expect(ownRows[0]!.statusMessage === 'card 4242 declined', 'the owner’s export should carry the status message');

      const viewer = await h.browser.newContext({ viewport: DESKTOP, acceptDownloads: true });
      const { email } = await signUpIn(viewer, h.url, 'Export Viewer');
      await addMember(owner, h.url, projectId, email, 'VIEWER');
      await apiOf(owner, h.url)('mutation($p: ID!) { updateProjectSettings(projectId: $p, input: { contentVisibility: ADMINS_ONLY }) { id } }', { p: projectId });
      const vp = await h.newPage(viewer, 'export-viewer');
      await vp.goto(`${h.url}/p/${projectId}/traces?name=heckou&model=4o-mini&meta=${encodeURIComponent('plan=pro')}`);
      await eventually(() => vp.locator('table.traces tbody tr').count(), (n) => n === 1, (n) => `the viewer's list should show 1 trace, it shows ${n}`);
      const viewerRows = await download(vp, 'JSON lines');
      expect(viewerRows.length === 1, `the viewer's export should hold 1 span, it holds ${viewerRows.length}`);
      const [row] = viewerRows;
      expect(row!.statusMessage === 'hidden' && row!.metadata === 'hidden' && row!.traceMetadata === 'hidden' && row!.input === 'hidden', `the viewer's export carries admins-only fields: ${JSON.stringify(row)}`);
      expect(!JSON.stringify(viewerRows).includes('4242'), 'the viewer’s export quotes the error message or metadata');
      await owner.close();
      await viewer.close();
    },
  },
];
