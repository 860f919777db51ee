import { diag, DiagLogLevel, ROOT_CONTEXT, SpanStatusCode, trace as otelTrace, type Tracer } from '@opentelemetry/api';
import { OTLPTraceExporter as OtlpHttpJsonExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as OtlpProtoExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { CompressionAlgorithm } from '@opentelemetry/otlp-exporter-base';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { SimpleSpanProcessor, TracerProvider, type SpanExporter } from '@opentelemetry/sdk-trace';
import { print } from 'graphql';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { TraceDetailDocument, TracesDocument } from '../../client/src/lib/generated/graphql';
import { startOtlpServer, type OtlpServer } from '../testing/otlp';
import { createTestApp, type TestApp, type TestClient } from '../testing/test-app';

// The real OpenTelemetry exporters (HTTP/JSON and HTTP/protobuf, gzip on and off) sending to a
// running server, checked through GraphQL — with the dashboard's own trace list and detail
// queries, so an OTLP trace is known to show like an SDK one: waterfall, models, tokens, cost,
// content.

type ExporterKind = 'http/json' | 'http/protobuf';

function makeExporter(kind: ExporterKind, url: string, secret: string, gzip: boolean): SpanExporter {
  const options = {
    url: `${url}/v1/traces`,
    headers: { Authorization: `Bearer ${secret}` },
    compression: gzip ? CompressionAlgorithm.GZIP : CompressionAlgorithm.NONE,
  };
  return kind === 'http/json' ? new OtlpHttpJsonExporter(options) : new OtlpProtoExporter(options);
}

/** An agent answering one question: root span, a generation under it, a tool call. */
function recordAgentRun(tracer: Tracer, label: string): { traceId: string } {
  // Parents are passed explicitly: no global context manager, so nothing leaks between tests.
  const root = tracer.startSpan(`support-agent ${label}`, {
    attributes: { 'gen_ai.operation.name': 'invoke_agent', 'user.id': 'customer-42', 'session.id': `session-${label}`, 'tag.tags': ['otlp', label] },
  });
  const inRoot = otelTrace.setSpan(ROOT_CONTEXT, root);
  const chat = tracer.startSpan(
    'chat gpt-4o-mini',
    {
      attributes: {
        'gen_ai.operation.name': 'chat',
        'gen_ai.provider.name': 'openai',
        'gen_ai.request.model': 'gpt-4o-mini',
        'gen_ai.usage.input_tokens': 2000,
        'gen_ai.usage.output_tokens': 300,
        'gen_ai.usage.cache_read.input_tokens': 1024,
        'gen_ai.input.messages': JSON.stringify([{ role: 'user', parts: [{ type: 'text', content: 'Where is order 1234?' }] }]),
        'gen_ai.output.messages': JSON.stringify([{ role: 'assistant', parts: [{ type: 'text', content: 'It ships tomorrow.' }], finish_reason: 'stop' }]),
      },
    },
    inRoot,
  );
  chat.end();
  const tool = tracer.startSpan(
    'execute_tool lookup_order',
    { attributes: { 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': 'lookup_order', 'gen_ai.tool.call.arguments': '{"order":1234}' } },
    inRoot,
  );
  tool.setStatus({ code: SpanStatusCode.ERROR, message: 'order service timed out' });
  tool.end();
  root.end();
  return { traceId: root.spanContext().traceId };
}

describe('real OpenTelemetry exporters → POST /v1/traces', () => {
  let t: TestApp;
  let server: OtlpServer;
  let secret: string;
  let owner: TestClient;
  let projectId: string;
  const warnings: string[] = [];
  beforeAll(async () => {
    t = await createTestApp({ TOKENTRACE_REDACTION_BUDGET_MS: '10000' });
    server = await startOtlpServer(t);
    ({ secret, owner, projectId } = await t.projectWithKey());
    diag.setLogger({ error: (m) => warnings.push(m), warn: (m, ...a) => warnings.push([m, ...a].join(' ')), info: () => {}, debug: () => {}, verbose: () => {} }, DiagLogLevel.WARN);
  });
  afterEach(() => {
    warnings.length = 0;
  });
  afterAll(async () => {
    diag.disable();
    await server.close();
    await t.close();
  });

  for (const kind of ['http/json', 'http/protobuf'] as const) {
    for (const gzip of [false, true]) {
      it(`${kind}${gzip ? ' with gzip' : ''}: an agent run shows in the dashboard's queries like an SDK trace`, async () => {
        const exporter = makeExporter(kind, server.url, secret, gzip);
        const provider = new TracerProvider({
          resource: resourceFromAttributes({ 'service.name': 'support-bot', 'deployment.environment.name': 'test' }),
          spanProcessors: [new SimpleSpanProcessor({ exporter })],
        });
        const label = `${kind.replace('/', '-')}${gzip ? '-gzip' : ''}`;
        const { traceId } = recordAgentRun(provider.getTracer('support-bot', '1.0.0'), label);
        await provider.forceFlush();
        await provider.shutdown();
        expect(warnings).toEqual([]);

        const list = await owner.gql(print(TracesDocument), { projectId, filter: { sessionId: `session-${label}` } });
        expect(list.errors).toBeUndefined();
        expect(list.data.project.traces.edges.map((e: { node: unknown }) => e.node)).toEqual([
          expect.objectContaining({
            id: traceId,
            name: `support-agent ${label}`,
            userId: 'customer-42',
            sessionId: `session-${label}`,
            tags: ['otlp', label].sort(),
            totalTokens: 2300,
            // 1,024 of the 2,000 input tokens are cache reads, billed at gpt-4o-mini's cached rate.
            totalCostUsd: expect.closeTo((976 * 0.15 + 1024 * 0.075 + 300 * 0.6) / 1e6, 12),
            spanCount: 3,
            errorCount: 1,
            models: ['gpt-4o-mini'],
          }),
        ]);

        const detail = await owner.gql(print(TraceDetailDocument), { projectId, traceId });
        expect(detail.errors).toBeUndefined();
        const shown = detail.data.project.trace;
        expect(shown.metadata).toMatchObject({ 'service.name': 'support-bot', 'deployment.environment.name': 'test' });
        expect(shown.durationMs).toBeGreaterThanOrEqual(0);
        const byName = Object.fromEntries(shown.spans.map((s: { name: string }) => [s.name, s]));
        const root = byName[`support-agent ${label}`];
        expect(root).toMatchObject({ id: expect.stringMatching(/^[0-9a-f]{16}$/), parentId: null, kind: 'AGENT' });
        expect(byName['chat gpt-4o-mini']).toMatchObject({
          parentId: root.id,
          kind: 'GENERATION',
          model: 'gpt-4o-mini',
          provider: 'openai',
          promptTokens: 2000,
          completionTokens: 300,
          totalTokens: 2300,
          costUsd: expect.closeTo((976 * 0.15 + 1024 * 0.075 + 300 * 0.6) / 1e6, 12),
          input: { messages: [{ role: 'user', content: 'Where is order 1234?' }] },
          output: { role: 'assistant', content: 'It ships tomorrow.', finish_reason: 'stop' },
          status: 'OK',
          latencyMs: expect.any(Number),
          startTime: expect.any(String),
          endTime: expect.any(String),
        });
        expect(byName['execute_tool lookup_order']).toMatchObject({
          parentId: root.id,
          kind: 'TOOL',
          input: { order: 1234 },
          status: 'ERROR',
          statusMessage: 'order service timed out',
        });
      });
    }
  }

  it('the exporters read partialSuccess from our answer (protobuf and JSON)', async () => {
    for (const kind of ['http/json', 'http/protobuf'] as const) {
      const provider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter: makeExporter(kind, server.url, secret, false) })] });
      provider.getTracer('t').startSpan('too many tokens', { attributes: { 'gen_ai.usage.input_tokens': 3_000_000_000 } }).end();
      await provider.forceFlush();
      await provider.shutdown();
      expect(warnings.join('\n')).toMatch(/Received Partial Success response:.*"rejectedSpans":"?1"?.*promptTokens is above the maximum/);
      warnings.length = 0;
    }
  });

  it('needs nothing but OTEL_EXPORTER_OTLP_ENDPOINT and OTEL_EXPORTER_OTLP_HEADERS', async () => {
    const saved = { endpoint: process.env.OTEL_EXPORTER_OTLP_ENDPOINT, headers: process.env.OTEL_EXPORTER_OTLP_HEADERS };
    process.env.OTEL_EXPORTER_OTLP_ENDPOINT = server.url;
    process.env.OTEL_EXPORTER_OTLP_HEADERS = `Authorization=Bearer%20${secret}`;
    try {
      for (const exporter of [new OtlpHttpJsonExporter(), new OtlpProtoExporter()]) {
        const provider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] });
        const span = provider.getTracer('env-only').startSpan('configured by env');
        const traceId = span.spanContext().traceId;
        span.end();
        await provider.forceFlush();
        await provider.shutdown();
        const read = await owner.gql('query($p: ID!, $id: ID!) { project(id: $p) { trace(id: $id) { name } } }', { p: projectId, id: traceId });
        expect(read.data.project.trace).toEqual({ name: 'configured by env' });
      }
    } finally {
      for (const [key, value] of [['OTEL_EXPORTER_OTLP_ENDPOINT', saved.endpoint], ['OTEL_EXPORTER_OTLP_HEADERS', saved.headers]] as const) {
        if (value === undefined) delete process.env[key];
        else process.env[key] = value;
      }
    }
    expect(warnings).toEqual([]);
  });
});
