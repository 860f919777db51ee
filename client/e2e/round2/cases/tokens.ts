import { randomBytes } from 'node:crypto';
import { createIngestKey, createProject, signUpIn } from '../api';
import { CaseFailure, type E2eCase, expect } from '../harness';

// Cached and reasoning tokens (issue 16, "Tokens and prices"): an app instrumented with
// OpenTelemetry sends an agent run through OTLP with the GenAI semantic conventions, 1,024 of its
// 1,200 input tokens read from the prompt cache. The trace page shows the model, the tokens, the
// cached part, and a cost that bills that part at the model's cached rate, with the price used.

const DESKTOP = { width: 1360, height: 900 };
const hex = (bytes: number) => randomBytes(bytes).toString('hex');
const nanos = (ms: number) => `${BigInt(ms) * 1_000_000n}`;
const attrs = (values: Record<string, string | number>) =>
  Object.entries(values).map(([key, value]) => ({ key, value: typeof value === 'number' ? { intValue: String(value) } : { stringValue: value } }));

// gpt-4o-mini's built-in price: $0.15 in, $0.075 cached, $0.60 out per million tokens.
const CACHED_COST = '$0.000133'; // 176 × 0.15 + 1,024 × 0.075 + 50 × 0.60, per million
const FULL_PRICE_COST = '$0.000210'; // what it cost before cached input had its own rate

export const tokenCases: E2eCase[] = [
  {
    name: 'tokens: an OTLP trace with cached input shows its model, tokens, cached tokens and cost on the trace page',
    async run(h) {
      const context = await h.browser.newContext({ viewport: DESKTOP });
      await signUpIn(context, h.url, 'Cache Owner');
      const projectId = await createProject(context, h.url, 'Cached input');
      const secret = await createIngestKey(context, h.url, projectId);
      const traceId = hex(16);
      const agentId = hex(8);
      const chatId = hex(8);
      const start = Date.now() - 60_000;
      const body = {
        resourceSpans: [
          {
            resource: { attributes: attrs({ 'service.name': 'support-bot' }) },
            scopeSpans: [
              {
                scope: { name: 'e2e' },
                spans: [
                  {
                    traceId, spanId: agentId, name: 'invoke_agent support', kind: 1,
                    startTimeUnixNano: nanos(start), endTimeUnixNano: nanos(start + 2_000),
                    attributes: attrs({ 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.agent.name': 'support' }),
                    status: { code: 0 },
                  },
                  {
                    traceId, spanId: chatId, parentSpanId: agentId, name: 'chat gpt-4o-mini', kind: 3,
                    startTimeUnixNano: nanos(start + 100), endTimeUnixNano: nanos(start + 1_500),
                    attributes: attrs({
                      'gen_ai.operation.name': 'chat',
                      'gen_ai.provider.name': 'openai',
                      'gen_ai.request.model': 'gpt-4o-mini',
                      'gen_ai.usage.input_tokens': 1_200,
                      'gen_ai.usage.output_tokens': 50,
                      'gen_ai.usage.cache_read.input_tokens': 1_024,
                      'gen_ai.usage.reasoning.output_tokens': 12,
                    }),
                    status: { code: 0 },
                  },
                ],
              },
            ],
          },
        ],
      };
      const res = await context.request.post(`${h.url}/v1/traces`, { headers: { 'content-type': 'application/json', authorization: `Bearer ${secret}` }, data: body });
      if (res.status() !== 200) throw new CaseFailure(`OTLP export answered ${res.status()}: ${await res.text()}`);
      const answer = (await res.json()) as { partialSuccess?: { rejectedSpans?: string | number; errorMessage?: string } };
      expect(Number(answer.partialSuccess?.rejectedSpans ?? 0) === 0, `spans rejected: ${answer.partialSuccess?.errorMessage}`);

      const page = await h.newPage(context, 'cached-tokens');
      await page.goto(`${h.url}/p/${projectId}/traces/${traceId}?span=${chatId}`);
      const summary = page.locator('dl.summary');
      await summary.waitFor();
      const summaryText = (await summary.textContent()) ?? '';
      expect(summaryText.includes('1,250'), `the trace summary should show 1,250 tokens: ${summaryText}`);
      expect(/Cached input\s*1,024 read/.test(summaryText), `the trace summary should show 1,024 cached input tokens: ${summaryText}`);
      expect(summaryText.includes(CACHED_COST), `the trace should cost ${CACHED_COST} (cached input at the cached rate), not ${FULL_PRICE_COST}: ${summaryText}`);

      const detail = page.locator('section.detail');
      await detail.getByRole('heading', { name: 'chat gpt-4o-mini' }).waitFor();
      const facts = (await detail.locator('.facts').textContent()) ?? '';
      expect(facts.includes('gpt-4o-mini (openai)'), `the span should name its model: ${facts}`);
      expect(/1,250\s*\(1,200 in · 50 out\)/.test(facts), `the span should show its tokens: ${facts}`);
      const cached = ((await page.getByTestId('span-cached-tokens').textContent()) ?? '').replace(/\s+/g, ' ');
      expect(cached.includes('1,024 read from cache') && cached.includes('of 1,200 in'), `the span should show its cached tokens: ${cached}`);
      const reasoning = ((await page.getByTestId('span-reasoning-tokens').textContent()) ?? '').replace(/\s+/g, ' ');
      expect(reasoning.includes('12') && reasoning.includes('of 50 out'), `the span should show its reasoning tokens: ${reasoning}`);
      expect(facts.includes(CACHED_COST), `the span should cost ${CACHED_COST}: ${facts}`);
      const price = ((await page.getByTestId('span-price').textContent()) ?? '').replace(/\s+/g, ' ');
      expect(price.includes('built-in price for gpt-4o-mini') && price.includes('$0.075 cached'), `the span should name the price that applied, with its cached rate: ${price}`);
      await h.screenshot(page, 'trace-cached-tokens');

      // The list says the same: the model and the cost.
      await page.goto(`${h.url}/p/${projectId}/traces`);
      const row = page.locator('table.traces tbody tr').first();
      await row.waitFor();
      const rowText = (await row.textContent()) ?? '';
      expect(rowText.includes('gpt-4o-mini') && rowText.includes(CACHED_COST), `the trace list row should show the model and ${CACHED_COST}: ${rowText}`);
      await context.close();
    },
  },
];
