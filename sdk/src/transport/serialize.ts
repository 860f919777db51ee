import type { SpanInput } from '../generated/graphql.js';
import type { SpanHandle } from '../tracing/span-handle.js';

// Ended span → the schema's SpanInput. Runs in the background flush, not on the app's path:
// ISO dates are formatted here, not at end().

const iso = (ms: number): string => new Date(ms).toISOString();

export function toSpanInput(span: SpanHandle): SpanInput {
  const input: SpanInput = {
    id: span.id,
    traceId: span.traceId,
    kind: span.kind,
    name: span.name,
    startTime: iso(span.startTime),
    endTime: iso(span.endTime),
    status: span.status,
  };
  if (span.parentId !== undefined) input.parentId = span.parentId;
  if (span.model !== undefined) input.model = span.model;
  if (span.provider !== undefined) input.provider = span.provider;
  if (span.input !== undefined) input.input = span.input;
  if (span.output !== undefined) input.output = span.output;
  if (span.metadata !== undefined) input.metadata = span.metadata;
  if (span.promptTokens !== undefined) input.promptTokens = span.promptTokens;
  if (span.completionTokens !== undefined) input.completionTokens = span.completionTokens;
  if (span.cacheReadTokens !== undefined) input.cacheReadTokens = span.cacheReadTokens;
  if (span.cacheWriteTokens !== undefined) input.cacheWriteTokens = span.cacheWriteTokens;
  if (span.reasoningTokens !== undefined) input.reasoningTokens = span.reasoningTokens;
  if (span.completionStartTime !== 0) input.completionStartTime = iso(Math.max(span.startTime, span.completionStartTime));
  if (span.statusMessage !== undefined) input.statusMessage = span.statusMessage;
  if (span.trace !== undefined) input.trace = span.trace;
  return input;
}
