import * as OI from '@arizeai/openinference-semantic-conventions';
import * as SemConv from '@opentelemetry/semantic-conventions/incubating';
import { describe, expect, it } from 'vitest';
import { BASE_MS, otlpRequest, otlpSpan, type AttributeValue, type SpanSpec } from '../../../testing/otlp';
import type { SpanDraft } from '../span-draft';
import { decodeOtlpRequest } from './decode-otlp';
import { mapOtlpSpan } from './map-otlp-span';

// The mapping table of docs/otel.md, row by row: each case sends the attributes (or events) one
// convention uses for a field through the real decoder (OTLP/JSON) and the OTLP door's map stage,
// and checks the span draft that comes out.

function mapOne(spec: SpanSpec, resource?: Record<string, AttributeValue>): SpanDraft {
  const items = decodeOtlpRequest(Buffer.from(JSON.stringify(otlpRequest([otlpSpan(spec)], resource))), 'json');
  expect(items).toHaveLength(1);
  return mapOtlpSpan(items[0]!);
}

const msg = (role: string, text: string) => ({ role, parts: [{ type: 'text', content: text }] });

interface Row {
  field: string;
  convention: string;
  spec: SpanSpec;
  expected: Partial<SpanDraft>;
}

const rows: Row[] = [
  // kind
  ...(['chat', 'text_completion', 'generate_content'] as const).map((op) => ({
    field: 'kind', convention: `gen_ai.operation.name=${op}`, spec: { attributes: { 'gen_ai.operation.name': op } }, expected: { kind: 'GENERATION' },
  })),
  { field: 'kind', convention: 'gen_ai.operation.name=execute_tool', spec: { attributes: { 'gen_ai.operation.name': 'execute_tool' } }, expected: { kind: 'TOOL' } },
  { field: 'kind', convention: 'gen_ai.operation.name=invoke_agent', spec: { attributes: { 'gen_ai.operation.name': 'invoke_agent' } }, expected: { kind: 'AGENT' } },
  { field: 'kind', convention: 'gen_ai.operation.name=create_agent', spec: { attributes: { 'gen_ai.operation.name': 'create_agent' } }, expected: { kind: 'AGENT' } },
  { field: 'kind', convention: 'gen_ai.operation.name=embeddings', spec: { attributes: { 'gen_ai.operation.name': 'embeddings' } }, expected: { kind: 'EMBEDDING' } },
  { field: 'kind', convention: 'gen_ai.operation.name=retrieval', spec: { attributes: { 'gen_ai.operation.name': 'retrieval' } }, expected: { kind: 'RETRIEVAL' } },
  { field: 'kind', convention: 'gen_ai.operation.name=agent_step (unknown)', spec: { attributes: { 'gen_ai.operation.name': 'agent_step' } }, expected: { kind: 'SPAN' } },
  ...(
    [['LLM', 'GENERATION'], ['TOOL', 'TOOL'], ['AGENT', 'AGENT'], ['RETRIEVER', 'RETRIEVAL'], ['RERANKER', 'RETRIEVAL'], ['EMBEDDING', 'EMBEDDING'], ['CHAIN', 'SPAN'], ['GUARDRAIL', 'SPAN']] as const
  ).map(([oi, kind]) => ({
    field: 'kind', convention: `openinference.span.kind=${oi}`, spec: { attributes: { 'openinference.span.kind': oi } }, expected: { kind },
  })),
  { field: 'kind', convention: 'ai.operationId=ai.generateText.doGenerate', spec: { attributes: { 'ai.operationId': 'ai.generateText.doGenerate' } }, expected: { kind: 'GENERATION' } },
  { field: 'kind', convention: 'ai.operationId=ai.streamText', spec: { attributes: { 'ai.operationId': 'ai.streamText' } }, expected: { kind: 'AGENT' } },
  { field: 'kind', convention: 'ai.operationId=ai.toolCall', spec: { attributes: { 'ai.operationId': 'ai.toolCall' } }, expected: { kind: 'TOOL' } },
  { field: 'kind', convention: 'ai.operationId=ai.embedMany.doEmbed', spec: { attributes: { 'ai.operationId': 'ai.embedMany.doEmbed' } }, expected: { kind: 'EMBEDDING' } },
  { field: 'kind', convention: 'traceloop.span.kind=tool', spec: { attributes: { 'traceloop.span.kind': 'tool' } }, expected: { kind: 'TOOL' } },
  { field: 'kind', convention: 'llm.request.type=chat (OpenLLMetry)', spec: { attributes: { 'llm.request.type': 'chat' } }, expected: { kind: 'GENERATION' } },
  { field: 'kind', convention: 'a model and usage, no convention', spec: { attributes: { 'gen_ai.request.model': 'gpt-4o', 'gen_ai.usage.input_tokens': 3 } }, expected: { kind: 'GENERATION' } },
  { field: 'kind', convention: 'nothing', spec: { attributes: { 'http.method': 'GET' } }, expected: { kind: 'SPAN' } },

  // model and provider
  { field: 'model', convention: 'gen_ai.request.model', spec: { attributes: { 'gen_ai.request.model': 'gpt-4o-mini' } }, expected: { model: 'gpt-4o-mini' } },
  { field: 'model', convention: 'gen_ai.response.model over gen_ai.request.model', spec: { attributes: { 'gen_ai.request.model': 'gpt-4o', 'gen_ai.response.model': 'gpt-4o-2024-08-06' } }, expected: { model: 'gpt-4o-2024-08-06' } },
  { field: 'model', convention: 'llm.model_name', spec: { attributes: { 'llm.model_name': 'claude-3-5-sonnet' } }, expected: { model: 'claude-3-5-sonnet' } },
  { field: 'model', convention: 'ai.model.id', spec: { attributes: { 'ai.model.id': 'gpt-4.1' } }, expected: { model: 'gpt-4.1' } },
  { field: 'model', convention: 'ai.response.model over ai.model.id', spec: { attributes: { 'ai.model.id': 'gpt-4.1', 'ai.response.model': 'gpt-4.1-2025-04-14' } }, expected: { model: 'gpt-4.1-2025-04-14' } },
  { field: 'provider', convention: 'gen_ai.provider.name', spec: { attributes: { 'gen_ai.provider.name': 'openai' } }, expected: { provider: 'openai' } },
  { field: 'provider', convention: 'gen_ai.system (older)', spec: { attributes: { 'gen_ai.system': 'anthropic' } }, expected: { provider: 'anthropic' } },
  { field: 'provider', convention: 'llm.provider', spec: { attributes: { 'llm.provider': 'google' } }, expected: { provider: 'google' } },
  { field: 'provider', convention: 'ai.model.provider', spec: { attributes: { 'ai.model.provider': 'openai.chat' } }, expected: { provider: 'openai' } },

  // tokens
  {
    field: 'tokens', convention: 'GenAI semconv',
    spec: { attributes: { 'gen_ai.usage.input_tokens': 120, 'gen_ai.usage.output_tokens': 40, 'gen_ai.usage.cache_read.input_tokens': 100, 'gen_ai.usage.cache_creation.input_tokens': 20, 'gen_ai.usage.reasoning.output_tokens': 30 } },
    expected: { promptTokens: 120, completionTokens: 40, cacheReadTokens: 100, cacheWriteTokens: 20, reasoningTokens: 30 },
  },
  {
    field: 'tokens', convention: 'GenAI semconv, deprecated names',
    spec: { attributes: { 'gen_ai.usage.prompt_tokens': 11, 'gen_ai.usage.completion_tokens': 4 } },
    expected: { promptTokens: 11, completionTokens: 4 },
  },
  {
    field: 'tokens', convention: 'OpenInference',
    spec: { attributes: { 'llm.token_count.prompt': 90, 'llm.token_count.completion': 10, 'llm.token_count.total': 100, 'llm.token_count.prompt_details.cache_read': 64, 'llm.token_count.prompt_details.cache_write': 8, 'llm.token_count.completion_details.reasoning': 6 } },
    expected: { promptTokens: 90, completionTokens: 10, cacheReadTokens: 64, cacheWriteTokens: 8, reasoningTokens: 6 },
  },
  {
    field: 'tokens', convention: 'Vercel AI SDK ai.usage.*',
    spec: { attributes: { 'ai.usage.inputTokens': 50, 'ai.usage.outputTokens': 5, 'ai.usage.inputTokenDetails.cacheReadTokens': 32, 'ai.usage.inputTokenDetails.cacheWriteTokens': 2, 'ai.usage.outputTokenDetails.reasoningTokens': 3 } },
    expected: { promptTokens: 50, completionTokens: 5, cacheReadTokens: 32, cacheWriteTokens: 2, reasoningTokens: 3 },
  },
  {
    field: 'tokens', convention: 'Vercel AI SDK before v5 (promptTokens, cachedInputTokens, reasoningTokens)',
    spec: { attributes: { 'ai.usage.promptTokens': 7, 'ai.usage.completionTokens': 2, 'ai.usage.cachedInputTokens': 4, 'ai.usage.reasoningTokens': 1 } },
    expected: { promptTokens: 7, completionTokens: 2, cacheReadTokens: 4, reasoningTokens: 1 },
  },

  // input
  {
    field: 'input', convention: 'gen_ai.system_instructions + gen_ai.input.messages (JSON strings)',
    spec: { attributes: { 'gen_ai.system_instructions': JSON.stringify([{ type: 'text', content: 'Be brief.' }]), 'gen_ai.input.messages': JSON.stringify([msg('user', 'Hi')]) } },
    expected: { input: { messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'Hi' }] } },
  },
  {
    field: 'input', convention: 'gen_ai.input.messages as structured attributes, with a tool call part',
    spec: { attributes: { 'gen_ai.input.messages': [{ role: 'assistant', parts: [{ type: 'tool_call', id: 'c1', name: 'weather', arguments: { city: 'Paris' } }] }] } },
    expected: { input: { messages: [{ role: 'assistant', content: [{ type: 'tool_call', id: 'c1', name: 'weather', arguments: { city: 'Paris' } }] }] } },
  },
  {
    field: 'input', convention: 'gen_ai.*.message span events (older form)',
    spec: { events: [{ name: 'gen_ai.system.message', attributes: { content: 'Be brief.' } }, { name: 'gen_ai.user.message', attributes: { content: 'Hi' } }] },
    expected: { input: { messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'Hi' }] } },
  },
  {
    field: 'input', convention: 'llm.input_messages.* (OpenInference)',
    spec: { attributes: { 'llm.input_messages.0.message.role': 'system', 'llm.input_messages.0.message.content': 'Be brief.', 'llm.input_messages.1.message.role': 'user', 'llm.input_messages.1.message.contents.0.message_content.type': 'text', 'llm.input_messages.1.message.contents.0.message_content.text': 'Hi' } },
    expected: { input: { messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'Hi' }] } },
  },
  {
    field: 'input', convention: 'gen_ai.prompt.N.* (OpenLLMetry)',
    spec: { attributes: { 'gen_ai.prompt.0.role': 'user', 'gen_ai.prompt.0.content': 'Hi' } },
    expected: { input: { messages: [{ role: 'user', content: 'Hi' }] } },
  },
  {
    field: 'input', convention: 'ai.prompt.messages (Vercel AI SDK)',
    spec: { attributes: { 'ai.prompt.messages': JSON.stringify([{ role: 'user', content: [{ type: 'text', text: 'Hi' }] }]) } },
    expected: { input: { messages: [{ role: 'user', content: [{ type: 'text', text: 'Hi' }] }] } },
  },
  {
    field: 'input', convention: 'ai.prompt (Vercel AI SDK, system + prompt)',
    spec: { attributes: { 'ai.prompt': JSON.stringify({ system: 'Be brief.', prompt: 'Hi' }) } },
    expected: { input: { messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'Hi' }] } },
  },
  { field: 'input', convention: 'gen_ai.tool.call.arguments', spec: { attributes: { 'gen_ai.tool.call.arguments': '{"city":"Paris"}' } }, expected: { input: { city: 'Paris' } } },
  { field: 'input', convention: 'ai.toolCall.args', spec: { attributes: { 'ai.toolCall.args': '{"city":"Oslo"}' } }, expected: { input: { city: 'Oslo' } } },
  { field: 'input', convention: 'input.value with JSON mime type (OpenInference)', spec: { attributes: { 'input.value': '{"q":"x"}', 'input.mime_type': 'application/json' } }, expected: { input: { q: 'x' } } },
  { field: 'input', convention: 'input.value as text (OpenInference)', spec: { attributes: { 'input.value': 'plain question', 'input.mime_type': 'text/plain' } }, expected: { input: 'plain question' } },
  {
    field: 'input', convention: 'embedding.embeddings.N.embedding.text (OpenInference)',
    spec: { attributes: { 'embedding.embeddings.0.embedding.text': 'first', 'embedding.embeddings.1.embedding.text': 'second', 'embedding.embeddings.0.embedding.vector': [0.1, 0.2] } },
    expected: { input: ['first', 'second'] },
  },

  // output
  {
    field: 'output', convention: 'gen_ai.output.messages',
    spec: { attributes: { 'gen_ai.output.messages': JSON.stringify([{ ...msg('assistant', 'Hello!'), finish_reason: 'stop' }]) } },
    expected: { output: { role: 'assistant', content: 'Hello!', finish_reason: 'stop' } },
  },
  {
    field: 'output', convention: 'gen_ai.choice span event (older form)',
    spec: { events: [{ name: 'gen_ai.choice', attributes: { index: 0, finish_reason: 'stop', message: { role: 'assistant', content: 'Hello!' } } }] },
    expected: { output: { role: 'assistant', content: 'Hello!', finish_reason: 'stop' } },
  },
  {
    field: 'output', convention: 'llm.output_messages.* with a tool call (OpenInference)',
    spec: { attributes: { 'llm.output_messages.0.message.role': 'assistant', 'llm.output_messages.0.message.tool_calls.0.tool_call.id': 'c1', 'llm.output_messages.0.message.tool_calls.0.tool_call.function.name': 'weather', 'llm.output_messages.0.message.tool_calls.0.tool_call.function.arguments': '{"city":"Paris"}' } },
    expected: { output: { role: 'assistant', content: null, tool_calls: [{ id: 'c1', type: 'function', function: { name: 'weather', arguments: '{"city":"Paris"}' } }] } },
  },
  {
    field: 'output', convention: 'gen_ai.completion.N.* (OpenLLMetry)',
    spec: { attributes: { 'gen_ai.completion.0.role': 'assistant', 'gen_ai.completion.0.content': 'Hello!', 'gen_ai.completion.0.finish_reason': 'stop' } },
    expected: { output: { role: 'assistant', content: 'Hello!', finish_reason: 'stop' } },
  },
  { field: 'output', convention: 'ai.response.text (Vercel AI SDK)', spec: { attributes: { 'ai.response.text': 'Hello!' } }, expected: { output: { role: 'assistant', content: 'Hello!' } } },
  { field: 'output', convention: 'ai.response.object (Vercel AI SDK)', spec: { attributes: { 'ai.response.object': '{"ok":true}' } }, expected: { output: { ok: true } } },
  { field: 'output', convention: 'gen_ai.tool.call.result', spec: { attributes: { 'gen_ai.tool.call.result': '{"temp":21}' } }, expected: { output: { temp: 21 } } },
  { field: 'output', convention: 'ai.toolCall.result', spec: { attributes: { 'ai.toolCall.result': '"sunny"' } }, expected: { output: '"sunny"' } },
  {
    field: 'output', convention: 'retrieval.documents.* (OpenInference)',
    spec: { attributes: { 'retrieval.documents.0.document.id': 'd1', 'retrieval.documents.0.document.content': 'Refunds take 5 days.', 'retrieval.documents.0.document.score': 0.9 } },
    expected: { output: [{ id: 'd1', content: 'Refunds take 5 days.', score: 0.9 }] },
  },
  { field: 'output', convention: 'output.value (OpenInference)', spec: { attributes: { 'output.value': 'done', 'output.mime_type': 'text/plain' } }, expected: { output: 'done' } },

  // time to first token
  {
    field: 'completionStartTime', convention: 'gen_ai.response.time_to_first_chunk (seconds)',
    spec: { startMs: BASE_MS, endMs: BASE_MS + 2000, attributes: { 'gen_ai.response.time_to_first_chunk': 0.25 } },
    expected: { completionStartTime: new Date(BASE_MS + 250) },
  },
  {
    field: 'completionStartTime', convention: 'ai.response.msToFirstChunk (milliseconds)',
    spec: { startMs: BASE_MS, endMs: BASE_MS + 2000, attributes: { 'ai.response.msToFirstChunk': 400 } },
    expected: { completionStartTime: new Date(BASE_MS + 400) },
  },

  // trace-level fields
  { field: 'trace.userId', convention: 'user.id', spec: { attributes: { 'user.id': 'u-1' } }, expected: { trace: expect.objectContaining({ userId: 'u-1' }) } },
  { field: 'trace.userId', convention: 'ai.telemetry.metadata.userId', spec: { attributes: { 'ai.telemetry.metadata.userId': 'u-2' } }, expected: { trace: expect.objectContaining({ userId: 'u-2' }) } },
  { field: 'trace.sessionId', convention: 'session.id', spec: { attributes: { 'session.id': 's-1' } }, expected: { trace: expect.objectContaining({ sessionId: 's-1' }) } },
  { field: 'trace.sessionId', convention: 'gen_ai.conversation.id', spec: { attributes: { 'gen_ai.conversation.id': 'conv-9' } }, expected: { trace: expect.objectContaining({ sessionId: 'conv-9' }) } },
  { field: 'trace.tags', convention: 'tag.tags (a list)', spec: { attributes: { 'tag.tags': ['beta', 'eu'] } }, expected: { trace: expect.objectContaining({ tags: ['beta', 'eu'] }) } },
  { field: 'trace.tags', convention: 'tag.tags (comma-separated)', spec: { attributes: { 'tag.tags': 'beta, eu' } }, expected: { trace: expect.objectContaining({ tags: ['beta', 'eu'] }) } },
];

describe('the OTLP mapping table (docs/otel.md)', () => {
  it.each(rows.map((r) => [`${r.field} ← ${r.convention}`, r] as const))('%s', (_label, row) => {
    expect(mapOne(row.spec)).toMatchObject(row.expected);
  });

  it('ids become lowercase hex, a parent id names the parent span, and the name is the span name', () => {
    const draft = mapOne({ traceId: 'AB'.repeat(16), spanId: '0123456789abcdef', parentSpanId: 'fedcba9876543210', name: 'checkout' });
    expect(draft).toMatchObject({ traceId: 'ab'.repeat(16), id: '0123456789abcdef', parentId: 'fedcba9876543210', name: 'checkout' });
    expect(mapOne({}).parentId).toBeNull();
  });

  it('times come from the unix nanoseconds', () => {
    const draft = mapOne({ startMs: BASE_MS + 5, endMs: BASE_MS + 1505 });
    expect(draft.startTime).toEqual(new Date(BASE_MS + 5));
    expect(draft.endTime).toEqual(new Date(BASE_MS + 1505));
  });

  it('status ERROR keeps its message; without one, an exception event is the error detail', () => {
    expect(mapOne({ status: { code: 2, message: 'rate limited upstream' } })).toMatchObject({ status: 'ERROR', statusMessage: 'rate limited upstream' });
    const fromException = mapOne({
      status: { code: 2 },
      events: [{ name: 'exception', attributes: { 'exception.type': 'TimeoutError', 'exception.message': 'no answer in 30 s', 'exception.stacktrace': 'at call()' } }],
    });
    expect(fromException).toMatchObject({ status: 'ERROR', statusMessage: 'TimeoutError: no answer in 30 s' });
    expect((fromException.metadata as Record<string, unknown>).exception).toEqual([{ type: 'TimeoutError', message: 'no answer in 30 s', stacktrace: 'at call()' }]);
    expect(mapOne({ status: { code: 2 }, attributes: { 'error.type': 'APIConnectionError' } })).toMatchObject({ statusMessage: 'APIConnectionError' });
    expect(mapOne({ status: { code: 1 } }).status).toBe('OK');
    expect(mapOne({ status: { code: 0 } }).status).toBeNull();
  });

  it('resource attributes become the trace metadata', () => {
    const draft = mapOne({}, { 'service.name': 'checkout', 'deployment.environment.name': 'prod' });
    expect(draft.trace?.metadata).toEqual({ 'service.name': 'checkout', 'deployment.environment.name': 'prod' });
  });

  it('other attributes go to span metadata with the scope, kind, other events and links — content attributes never do', () => {
    const draft = mapOne({
      kind: 3,
      attributes: {
        'http.route': '/chat',
        'gen_ai.request.temperature': 0.2,
        metadata: JSON.stringify({ feature: 'support' }),
        'gen_ai.input.messages': JSON.stringify([msg('user', 'secret question')]),
        'ai.prompt.messages': '[{"role":"user","content":"secret question"}]',
        'llm.input_messages.0.message.content': 'secret question',
        'input.value': 'secret question',
        'gen_ai.prompt': 'secret question',
      },
      events: [{ name: 'retry', attributes: { attempt: 2 } }],
    });
    expect(draft.metadata).toEqual({
      feature: 'support',
      'http.route': '/chat',
      'gen_ai.request.temperature': 0.2,
      'otel.scope.name': 'test-scope',
      'otel.scope.version': '1.0.0',
      'otel.span_kind': 'CLIENT',
      'otel.events': [{ name: 'retry', time: expect.any(String) }],
    });
    expect(JSON.stringify(draft.metadata)).not.toContain('secret question');
  });

  it('metadata from attributes is capped in size, and says how much was left out', () => {
    const many = Object.fromEntries(Array.from({ length: 10_000 }, (_, i) => [`attr.${i}`, `value ${i}`]));
    const draft = mapOne({ attributes: many });
    const meta = draft.metadata as Record<string, unknown>;
    expect(Object.keys(meta).length).toBeLessThanOrEqual(130);
    expect(meta['otel.dropped_attributes_count']).toBeGreaterThan(9_800);
  });

  it('an attribute named __proto__ stays a key of the metadata, and replaces no prototype', () => {
    // JSON.parse makes __proto__ an own key, as an OTLP/JSON body would carry it.
    const draft = mapOne({ attributes: JSON.parse('{"__proto__": {"polluted": "yes"}, "plain": 1}') as Record<string, AttributeValue> });
    const meta = draft.metadata as Record<string, unknown>;
    expect(Object.getPrototypeOf(meta)).toBe(Object.prototype);
    expect(Object.keys(meta)).toContain('__proto__');
    expect(JSON.parse(JSON.stringify(meta)).__proto__).toEqual({ polluted: 'yes' });
    expect((meta as { polluted?: unknown }).polluted).toBeUndefined();
  });

  it('an id of the wrong length, or all zero, is a problem of that span', () => {
    expect(mapOne({ spanId: 'abcd' }).problem).toMatch(/spanId must be 8 bytes \(16 hex characters\)/);
    expect(mapOne({ traceId: '0'.repeat(32) }).problem).toMatch(/traceId must be 16 bytes/);
    expect(mapOne({ spanId: 'zzzzzzzzzzzzzzzz' }).problem).toMatch(/spanId must be 8 bytes/);
    expect(mapOne({ parentSpanId: '12' }).problem).toMatch(/parentSpanId must be 8 bytes/);
  });

  it('attribute values nest as deep as protobuf allows; past its recursion limit the request cannot be decoded', () => {
    const nest = (levels: number) => {
      let value: AttributeValue = 'bottom';
      for (let i = 0; i < levels; i++) value = { level: value };
      return value;
    };
    const draft = mapOne({ attributes: { deep: nest(25) } });
    expect(draft.problem).toBeUndefined();
    expect(JSON.stringify((draft.metadata as Record<string, unknown>).deep)).toContain('bottom');
    // protobufjs stops at 100 message levels, as protoc and the OpenTelemetry Collector do.
    const tooDeep = JSON.stringify(otlpRequest([otlpSpan({ attributes: { deep: nest(200) } })]));
    expect(() => decodeOtlpRequest(Buffer.from(tooDeep), 'json')).toThrow(/not an OTLP ExportTraceServiceRequest/);
  });

  it('an attribute nested deeper than the JSON limit is a problem of that span, not of the request', () => {
    let value: Record<string, unknown> = { value: 'stringValue', stringValue: 'bottom' };
    for (let i = 0; i < 70; i++) value = { value: 'kvlistValue', kvlistValue: { values: [{ key: 'level', value }] } };
    const span = { traceId: Buffer.alloc(16, 1), spanId: Buffer.alloc(8, 2), name: 'deep', startTimeUnixNano: BASE_MS * 1e6, attributes: [{ key: 'deep', value }] };
    expect(mapOtlpSpan({ span, resource: null, scope: null }).problem).toMatch(/attribute "deep" is nested too deep to read/);
  });

  it('reads protobuf and OTLP/JSON alike, int64 given as a string or a number', () => {
    const span = otlpSpan({ attributes: { 'gen_ai.usage.input_tokens': 42 } });
    const asNumber = JSON.parse(JSON.stringify(otlpRequest([span])).replace('"intValue":"42"', '"intValue":42'));
    const draft = mapOtlpSpan(decodeOtlpRequest(Buffer.from(JSON.stringify(asNumber)), 'json')[0]!);
    expect(draft.promptTokens).toBe(42);
    expect(JSON.stringify(asNumber)).toContain('"intValue":42');
  });
});

describe('attribute names', () => {
  // The table names attributes by hand; these are the conventions' own constants, as published.
  it('match the OpenTelemetry GenAI semantic conventions package', () => {
    const names = [
      SemConv.ATTR_GEN_AI_OPERATION_NAME, SemConv.ATTR_GEN_AI_REQUEST_MODEL, SemConv.ATTR_GEN_AI_RESPONSE_MODEL, SemConv.ATTR_GEN_AI_PROVIDER_NAME,
      SemConv.ATTR_GEN_AI_SYSTEM, SemConv.ATTR_GEN_AI_USAGE_INPUT_TOKENS, SemConv.ATTR_GEN_AI_USAGE_OUTPUT_TOKENS,
      SemConv.ATTR_GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS, SemConv.ATTR_GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS,
      SemConv.ATTR_GEN_AI_USAGE_REASONING_OUTPUT_TOKENS, SemConv.ATTR_GEN_AI_INPUT_MESSAGES, SemConv.ATTR_GEN_AI_OUTPUT_MESSAGES,
      SemConv.ATTR_GEN_AI_SYSTEM_INSTRUCTIONS, SemConv.ATTR_GEN_AI_CONVERSATION_ID, SemConv.ATTR_GEN_AI_TOOL_CALL_ARGUMENTS,
      SemConv.ATTR_GEN_AI_TOOL_CALL_RESULT, SemConv.EVENT_GEN_AI_USER_MESSAGE, SemConv.EVENT_GEN_AI_CHOICE,
    ];
    expect(names).toEqual([
      'gen_ai.operation.name', 'gen_ai.request.model', 'gen_ai.response.model', 'gen_ai.provider.name', 'gen_ai.system',
      'gen_ai.usage.input_tokens', 'gen_ai.usage.output_tokens', 'gen_ai.usage.cache_read.input_tokens',
      'gen_ai.usage.cache_creation.input_tokens', 'gen_ai.usage.reasoning.output_tokens', 'gen_ai.input.messages',
      'gen_ai.output.messages', 'gen_ai.system_instructions', 'gen_ai.conversation.id', 'gen_ai.tool.call.arguments',
      'gen_ai.tool.call.result', 'gen_ai.user.message', 'gen_ai.choice',
    ]);
    expect([SemConv.GEN_AI_OPERATION_NAME_VALUE_EXECUTE_TOOL, SemConv.GEN_AI_OPERATION_NAME_VALUE_INVOKE_AGENT, SemConv.GEN_AI_OPERATION_NAME_VALUE_EMBEDDINGS]).toEqual([
      'execute_tool', 'invoke_agent', 'embeddings',
    ]);
  });

  it('match the OpenInference semantic conventions package', () => {
    expect([
      OI.SemanticConventions.OPENINFERENCE_SPAN_KIND, OI.SemanticConventions.LLM_MODEL_NAME, OI.SemanticConventions.LLM_PROVIDER,
      OI.SemanticConventions.LLM_TOKEN_COUNT_PROMPT, OI.SemanticConventions.LLM_TOKEN_COUNT_COMPLETION,
      OI.SemanticConventions.LLM_TOKEN_COUNT_PROMPT_DETAILS_CACHE_READ, OI.SemanticConventions.LLM_TOKEN_COUNT_PROMPT_DETAILS_CACHE_WRITE,
      OI.SemanticConventions.LLM_TOKEN_COUNT_COMPLETION_DETAILS_REASONING, OI.SemanticConventions.LLM_INPUT_MESSAGES,
      OI.SemanticConventions.LLM_OUTPUT_MESSAGES, OI.SemanticConventions.INPUT_VALUE, OI.SemanticConventions.OUTPUT_VALUE,
      OI.SemanticConventions.SESSION_ID, OI.SemanticConventions.USER_ID, OI.SemanticConventions.TAG_TAGS, OI.SemanticConventions.METADATA,
    ]).toEqual([
      'openinference.span.kind', 'llm.model_name', 'llm.provider', 'llm.token_count.prompt', 'llm.token_count.completion',
      'llm.token_count.prompt_details.cache_read', 'llm.token_count.prompt_details.cache_write',
      'llm.token_count.completion_details.reasoning', 'llm.input_messages', 'llm.output_messages', 'input.value', 'output.value',
      'session.id', 'user.id', 'tag.tags', 'metadata',
    ]);
    expect(Object.values(OI.OpenInferenceSpanKind).sort()).toEqual(
      ['AGENT', 'CHAIN', 'EMBEDDING', 'EVALUATOR', 'GUARDRAIL', 'LLM', 'PROMPT', 'RERANKER', 'RETRIEVER', 'TOOL'].sort(),
    );
  });
});
