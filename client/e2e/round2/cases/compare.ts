import type { BrowserContext } from 'playwright-core';
import { addMember, createIngestKey, createProject, ingest, iso, rid, signUpIn } from '../api';
import { type E2eCase, type Harness, eventually, expect } from '../harness';

// Compare (issue 16): sessions and users views, a session as a conversation; time to first
// token, metadata, tags, and "usage not reported" on a trace — as an owner and as a viewer.

const DESKTOP = { width: 1360, height: 900 };

function chatTurn(sessionId: string, userId: string, at: number, question: string, answer: string, extra: Record<string, unknown> = {}) {
  const traceId = `turn-${rid()}`;
  return [
    {
      id: `${traceId}-g`,
      traceId,
      kind: 'GENERATION',
      name: 'openai.chat.completions',
      model: 'gpt-4o-mini',
      input: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: question }],
      output: { role: 'assistant', content: answer },
      promptTokens: 40,
      completionTokens: 12,
      startTime: iso(at),
      endTime: iso(at + 1200),
      trace: { name: 'support turn', sessionId, userId, tags: ['support', 'beta'], metadata: { channel: 'web', plan: { tier: 'gold' } } },
      ...extra,
    },
  ];
}

async function seed(h: Harness): Promise<{ owner: BrowserContext; viewer: BrowserContext; projectId: string; sessionId: string; streamTrace: string }> {
  const owner = await h.browser.newContext({ viewport: DESKTOP });
  await signUpIn(owner, h.url, 'Compare Owner');
  const projectId = await createProject(owner, h.url, 'Support chat');
  const secret = await createIngestKey(owner, h.url, projectId);
  const now = Date.now() - 600_000;
  const sessionId = `chat-${rid()}`;
  const turns = [
    ...chatTurn(sessionId, 'customer-7', now, 'Where is my order?', 'It left the warehouse today.'),
    ...chatTurn(sessionId, 'customer-7', now + 60_000, 'When will it arrive?', 'Tomorrow before noon.'),
    // Streamed without include_usage: time to first token, and no token counts.
    ...chatTurn(sessionId, 'customer-7', now + 120_000, 'Thanks!', 'You are welcome.', { promptTokens: null, completionTokens: null, completionStartTime: iso(now + 120_000 + 350) }),
    ...chatTurn(`other-${rid()}`, 'customer-9', now + 30_000, 'Hi', 'Hello!'),
  ];
  await ingest(owner, h.url, secret, turns);
  const viewer = await h.browser.newContext({ viewport: DESKTOP });
  const { email } = await signUpIn(viewer, h.url, 'Compare Viewer');
  await addMember(owner, h.url, projectId, email, 'VIEWER');
  return { owner, viewer, projectId, sessionId, streamTrace: turns[2]!.traceId };
}

export const compareCases: E2eCase[] = [
  {
    name: 'compare: sessions and users lists, a session read as a conversation, as owner and viewer',
    async run(h) {
      const { owner, viewer, projectId, sessionId } = await seed(h);
      for (const [context, who] of [[owner, 'owner'], [viewer, 'viewer']] as const) {
        const page = await h.newPage(context, `sessions-${who}`);
        await page.goto(`${h.url}/p/${projectId}/traces`);
        await page.getByRole('navigation', { name: 'Project' }).getByRole('link', { name: 'Sessions' }).click();
        const row = page.locator('table.sessions tbody tr', { hasText: sessionId });
        await row.waitFor();
        const cells = (await row.locator('td').allTextContents()).map((c) => c.trim());
        expect(cells[1] === 'customer-7' && cells[2] === '3', `session row: ${cells.join(' | ')}`);
        if (who === 'owner') await h.screenshot(page, 'sessions');
        await row.getByRole('link', { name: sessionId }).click();
        await page.getByRole('list', { name: 'Conversation' }).waitFor();
        const want = 'Where is my order? / It left the warehouse today. / When will it arrive? / Tomorrow before noon. / Thanks! / You are welcome.';
        await eventually(
          async () => (await page.locator('.conversation .bubble').allTextContents()).map((t) => t.replace(/^(user|assistant)/, '').trim()).join(' / '),
          (text) => text === want,
          (text) => `conversation (${who}): ${text}`,
        );
        await h.screenshot(page, `session-conversation-${who}`);

        await page.getByRole('navigation', { name: 'Project' }).getByRole('link', { name: 'Users' }).click();
        const user = page.locator('table.users tbody tr', { hasText: 'customer-7' });
        await user.waitFor();
        expect((await user.locator('td').nth(1).textContent())?.trim() === '3', 'customer-7 should have 3 traces');
        if (who === 'viewer') await h.screenshot(page, 'users-viewer');
        await user.getByRole('link', { name: 'customer-7' }).click();
        await page.waitForURL(/traces\?user=customer-7/);
        await page.locator('table.traces tbody tr').nth(2).waitFor();
        expect((await page.locator('table.traces tbody tr').count()) === 3, 'the user link should list their 3 traces');
      }
      await owner.close();
      await viewer.close();
    },
  },
  {
    name: 'compare: a trace shows time to first token, metadata (collapsed), tags, and "usage not reported"',
    async run(h) {
      const { owner, viewer, projectId, streamTrace } = await seed(h);
      const page = await h.newPage(owner, 'trace-facts');
      await page.goto(`${h.url}/p/${projectId}/traces`);
      const row = page.locator(`tr[data-trace-id="${streamTrace}"]`);
      await row.waitFor();
      expect(((await row.textContent()) ?? '').includes('not reported'), 'the trace list should say the usage was not reported');
      await page.goto(`${h.url}/p/${projectId}/traces/${streamTrace}`);
      await page.locator('#span-title').waitFor();
      await page.getByText('usage not reported', { exact: true }).waitFor();
      const facts = await page.locator('.facts').textContent();
      expect(/First token\s*350 ms/.test(facts ?? ''), `time to first token missing: ${facts}`);
      expect(!/\$0(?!\.)/.test(facts ?? ''), `a span without usage shows $0: ${facts}`);
      await page.getByLabel('Tags').getByText('support').waitFor();
      const metadata = page.locator('details.metadata');
      expect(!(await metadata.evaluate((d) => (d as HTMLDetailsElement).open)), 'trace metadata should start collapsed');
      await metadata.locator('> summary').click();
      await metadata.getByText('"web"').waitFor();
      await h.screenshot(page, 'trace-ttft-metadata-owner');
      const vp = await h.newPage(viewer, 'trace-facts-viewer');
      await vp.goto(`${h.url}/p/${projectId}/traces/${streamTrace}`);
      await vp.getByText('usage not reported', { exact: true }).waitFor();
      await owner.close();
      await viewer.close();
    },
  },
];
