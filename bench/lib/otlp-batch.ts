import { createHash } from 'node:crypto';
import { ExportTraceServiceRequest, ExportTraceServiceResponse } from '../../server/services/ingest/otlp/otlp-schema';
import { makeBatch, type BenchSpan } from './spans';

// The bench's batches as an OpenTelemetry exporter would send them: one ExportTraceServiceRequest
// in protobuf, the same spans and content as the GraphQL batch (GenAI semantic-convention
// attributes carry the messages, model, usage and trace attributes), ids derived from the bench
// ids so a batch is the same bytes every time.

const hexId = (text: string, bytes: number) => createHash('sha256').update(text).digest().subarray(0, bytes);
const nanos = (iso: string) => BigInt(Date.parse(iso)) * 1_000_000n;

type Attr = { key: string; value: Record<string, unknown> };
const str = (key: string, value: string): Attr => ({ key, value: { stringValue: value } });
const int = (key: string, value: number): Attr => ({ key, value: { intValue: value } });
const dbl = (key: string, value: number): Attr => ({ key, value: { doubleValue: value } });

function toOtlpSpan(span: BenchSpan) {
  const [system, ...rest] = span.input.messages;
  const parts = (content: string) => [{ type: 'text', content }];
  const attributes: Attr[] = [
    str('gen_ai.operation.name', span.kind === 'AGENT' ? 'invoke_agent' : 'chat'),
    str('gen_ai.provider.name', span.provider),
    str('gen_ai.request.model', span.model),
    int('gen_ai.usage.input_tokens', span.promptTokens),
    int('gen_ai.usage.output_tokens', span.completionTokens),
    str('gen_ai.system_instructions', JSON.stringify(parts(system!.content))),
    str('gen_ai.input.messages', JSON.stringify(rest.map((m) => ({ role: m.role, parts: parts(m.content) })))),
    str('gen_ai.output.messages', JSON.stringify([{ role: span.output.role, parts: parts(span.output.content) }])),
    dbl('gen_ai.request.temperature', 0.2),
    int('gen_ai.request.max_tokens', 1024),
  ];
  if (span.trace) {
    attributes.push(str('user.id', span.trace.userId), str('session.id', span.trace.sessionId));
    attributes.push({ key: 'tag.tags', value: { arrayValue: { values: span.trace.tags.map((t) => ({ stringValue: t })) } } });
  }
  return {
    traceId: hexId(span.traceId, 16),
    spanId: hexId(span.id, 8),
    parentSpanId: span.parentId ? hexId(span.parentId, 8) : undefined,
    name: span.name,
    kind: span.kind === 'AGENT' ? 1 : 3,
    startTimeUnixNano: nanos(span.startTime).toString(),
    endTimeUnixNano: nanos(span.endTime).toString(),
    attributes,
  };
}

/** Batch `g` of the run as OTLP protobuf bytes. */
export function makeOtlpBatch(runTag: string, g: number, size: number, baseTimeMs: number, spansPerTrace?: number): Uint8Array {
  const spans = makeBatch(runTag, g, size, baseTimeMs, spansPerTrace).map(toOtlpSpan);
  const request = {
    resourceSpans: [
      {
        resource: { attributes: [str('service.name', 'support-bot'), str('deployment.environment.name', 'bench')] },
        scopeSpans: [{ scope: { name: 'bench', version: '1.0.0' }, spans }],
      },
    ],
  };
  return ExportTraceServiceRequest.encode(ExportTraceServiceRequest.fromObject(request)).finish();
}

/** The spans an OTLP response says were refused, with its message. */
export function readOtlpResponse(body: Uint8Array): { rejected: number; message: string } {
  const response = ExportTraceServiceResponse.toObject(ExportTraceServiceResponse.decode(body), { longs: Number }) as {
    partialSuccess?: { rejectedSpans?: number; errorMessage?: string };
  };
  return { rejected: response.partialSuccess?.rejectedSpans ?? 0, message: response.partialSuccess?.errorMessage ?? '' };
}
