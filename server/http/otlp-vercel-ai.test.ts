import { createOpenAI } from '@ai-sdk/openai';
import { LegacyOpenTelemetry, OpenTelemetry } from '@ai-sdk/otel';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { generateText, jsonSchema, stepCountIs, tool } from 'ai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FAKE_ANSWER, FAKE_USAGE, startFakeOpenAI, type FakeOpenAI } from '../testing/fake-openai';
import { startOtlpServer, type OtlpServer } from '../testing/otlp';
import { createTestApp, type TestApp, type TestClient } from '../testing/test-app';

// A real instrumentation library end to end: the Vercel AI SDK (`ai` + `@ai-sdk/openai`) runs an
// agent with one tool against a local fake OpenAI server, `@ai-sdk/otel` records it — both its
// GenAI-convention integration and its legacy `ai.*` one — and the real protobuf exporter sends
// the spans to tokentrace. The AI SDK reports the agent's usage on its root span and again on each
// model call below it; trace totals and usage charts must count those tokens once.

const TRACE = `query($p: ID!, $id: ID!) {
  project(id: $p) {
    trace(id: $id) {
      name totalTokens totalCostUsd spanCount
      spans { id parentId kind name model provider promptTokens completionTokens cacheReadTokens cacheWriteTokens reasoningTokens costUsd input output }
    }
  }
}`;
const USAGE = `query($p: ID!, $from: DateTime!, $to: DateTime!) {
  project(id: $p) { usage(bucket: DAY, from: $from, to: $to) { series { tokens costUsd } byModel { model tokens costUsd } } }
}`;

const { toolCall, answer } = FAKE_USAGE;
const CALLS_TOKENS = toolCall.prompt_tokens + toolCall.completion_tokens + answer.prompt_tokens + answer.completion_tokens;
// gpt-4o-mini's list price (the dated snapshot the fake server answers with is priced the same):
// $0.15 per million input tokens, $0.075 for the cached part of them, $0.60 output.
const costOf = (u: typeof toolCall) =>
  ((u.prompt_tokens - u.prompt_tokens_details.cached_tokens) * 0.15 + u.prompt_tokens_details.cached_tokens * 0.075 + u.completion_tokens * 0.6) / 1e6;
const CALLS_COST = costOf(toolCall) + costOf(answer);

describe('the Vercel AI SDK with @ai-sdk/otel → OTLP → tokentrace', () => {
  let t: TestApp;
  let server: OtlpServer;
  let fake: FakeOpenAI;
  let owner: TestClient;
  let projectId: string;
  let secret: string;
  beforeAll(async () => {
    t = await createTestApp({ TOKENTRACE_REDACTION_BUDGET_MS: '10000' });
    server = await startOtlpServer(t);
    fake = await startFakeOpenAI();
    ({ owner, projectId, secret } = await t.projectWithKey());
  });
  afterAll(async () => {
    await fake.close();
    await server.close();
    await t.close();
  });

  async function runAgent(integration: 'OpenTelemetry' | 'LegacyOpenTelemetry'): Promise<string> {
    const provider = new TracerProvider({
      resource: resourceFromAttributes({ 'service.name': 'support-bot' }),
      spanProcessors: [
        new SimpleSpanProcessor({ exporter: new OTLPTraceExporter({ url: `${server.url}/v1/traces`, headers: { Authorization: `Bearer ${secret}` } }) }),
        // Notes which trace the run recorded.
        { onStart: () => {}, onEnding: () => {}, onEnd: (span) => traceIds.add(span.spanContext().traceId), forceFlush: async () => {}, shutdown: async () => {} },
      ],
    });
    const traceIds = new Set<string>();
    const tracer = provider.getTracer('ai');
    const telemetryIntegration = integration === 'OpenTelemetry' ? new OpenTelemetry({ tracer, usage: true }) : new LegacyOpenTelemetry({ tracer });
    const openai = createOpenAI({ baseURL: fake.baseURL, apiKey: 'sk-test-not-a-real-key' });
    const result = await generateText({
      model: openai.chat('gpt-4o-mini'),
      system: 'You are a support agent. Use the tools.',
      prompt: 'Where is order 1234?',
      tools: {
        lookup_order: tool({
          description: 'Look an order up',
          inputSchema: jsonSchema<{ order: string }>({ type: 'object', properties: { order: { type: 'string' } }, required: ['order'] }),
          execute: async ({ order }) => ({ order, status: 'shipped', eta: 'Friday' }),
        }),
      },
      stopWhen: stepCountIs(3),
      telemetry: { functionId: 'support-agent', integrations: [telemetryIntegration] },
    });
    expect(result.text).toBe(FAKE_ANSWER);
    await provider.forceFlush();
    await provider.shutdown();
    expect(traceIds.size).toBe(1);
    return [...traceIds][0]!;
  }

  for (const integration of ['OpenTelemetry', 'LegacyOpenTelemetry'] as const) {
    it(`${integration}: model calls, tool, content and cost arrive, and the agent's usage counts once`, async () => {
      const traceId = await runAgent(integration);
      expect(traceId).toMatch(/^[0-9a-f]{32}$/);
      const res = await owner.gql(TRACE, { p: projectId, id: traceId });
      expect(res.errors).toBeUndefined();
      const trace = res.data.project.trace;
      const generations = trace.spans.filter((s: { kind: string }) => s.kind === 'GENERATION');
      expect(generations).toHaveLength(2);
      const [first, second] = [...generations].sort((a, b) => a.promptTokens - b.promptTokens);
      expect(first).toMatchObject({
        model: 'gpt-4o-mini-2024-07-18',
        provider: 'openai',
        promptTokens: toolCall.prompt_tokens,
        completionTokens: toolCall.completion_tokens,
        cacheReadTokens: toolCall.prompt_tokens_details.cached_tokens,
        costUsd: expect.closeTo(costOf(toolCall), 12),
      });
      expect(second).toMatchObject({ promptTokens: answer.prompt_tokens, completionTokens: answer.completion_tokens, cacheReadTokens: answer.prompt_tokens_details.cached_tokens });
      if (integration === 'OpenTelemetry') expect(first.reasoningTokens).toBe(toolCall.completion_tokens_details.reasoning_tokens);
      // Content: the conversation in, the answer out.
      expect(JSON.stringify(first.input)).toContain('Where is order 1234?');
      expect(JSON.stringify(second.output)).toContain(FAKE_ANSWER);
      const toolSpan = trace.spans.find((s: { kind: string }) => s.kind === 'TOOL');
      expect(toolSpan.input).toEqual({ order: '1234' });
      expect(JSON.stringify(toolSpan.output)).toContain('shipped');

      // The root reports the whole run's usage again.
      const root = trace.spans.find((s: { parentId: string | null }) => s.parentId === null);
      expect(root).toMatchObject({ kind: 'AGENT', promptTokens: toolCall.prompt_tokens + answer.prompt_tokens });
      expect(trace.totalTokens).toBe(CALLS_TOKENS);
      expect(trace.totalCostUsd).toBeCloseTo(CALLS_COST, 12);
    });
  }

  it('usage charts count the two runs once each, by model too', async () => {
    const res = await owner.gql(USAGE, { p: projectId, from: new Date(Date.now() - 7 * 86_400_000).toISOString(), to: new Date(Date.now() + 86_400_000).toISOString() });
    expect(res.errors).toBeUndefined();
    const { series, byModel } = res.data.project.usage;
    expect(series.reduce((n: number, p: { tokens: number }) => n + p.tokens, 0)).toBe(2 * CALLS_TOKENS);
    expect(series.reduce((n: number, p: { costUsd: number }) => n + p.costUsd, 0)).toBeCloseTo(2 * CALLS_COST, 12);
    const tokensByModel = byModel.reduce((n: number, m: { tokens: number }) => n + m.tokens, 0);
    expect(tokensByModel).toBe(2 * CALLS_TOKENS);
  });
});
