import type { SpanDraft } from '../span-draft';
import { setOwn } from '../clean-values';
import { AttributeBag } from './attribute-bag';
import { isContentAttribute, mapContent } from './map-content';
import { mapKind } from './map-kind';
import { mapUsage } from './map-usage';
import { isRecord, parseJsonValue } from './message-shapes';
import { AttributeTooDeepError, unixNanosToMillis, type LongLike, type OtlpKeyValue } from './otlp-values';
import { readSpanEvents, type OtlpEvent, type SpanEvent } from './span-events';

// The OTLP door's map stage: one OTLP span (with its resource and scope) → a span draft. The
// table in docs/otel.md is this file and the map-*.ts beside it, row by row.

export interface OtlpSpan {
  traceId?: Uint8Array;
  spanId?: Uint8Array;
  parentSpanId?: Uint8Array;
  name?: string;
  kind?: number;
  startTimeUnixNano?: LongLike | number | string | null;
  endTimeUnixNano?: LongLike | number | string | null;
  attributes?: OtlpKeyValue[];
  droppedAttributesCount?: number;
  events?: OtlpEvent[];
  links?: { traceId?: Uint8Array; spanId?: Uint8Array }[];
  status?: { code?: number; message?: string } | null;
}

export interface OtlpSpanItem {
  span: OtlpSpan;
  /** The resource's attributes, read once per ResourceSpans: they become the trace's metadata. */
  resource: Record<string, unknown> | null;
  scope: { name?: string; version?: string } | null;
}

/** Span metadata from attributes: this many entries and about this many bytes at most. */
const MAX_METADATA_ENTRIES = 128;
const MAX_METADATA_BYTES = 32 * 1024;
const MAX_EVENTS_KEPT = 32;
const OTEL_SPAN_KINDS = ['UNSPECIFIED', 'INTERNAL', 'SERVER', 'CLIENT', 'PRODUCER', 'CONSUMER'];

const hex = (bytes: Uint8Array | undefined) =>
  bytes ? (Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)).toString('hex') : '';
const allZero = (bytes: Uint8Array) => bytes.every((b) => b === 0);
const isoOrNull = (ms: number) => (ms > 0 && ms < 8.64e15 ? new Date(ms).toISOString() : null);

function checkId(bytes: Uint8Array | undefined, field: string, length: number): string | undefined {
  if (!bytes || bytes.length !== length || allZero(bytes)) {
    return `${field} must be ${length} bytes (${length * 2} hex characters), not all zero`;
  }
  return undefined;
}

export function mapOtlpSpan(item: OtlpSpanItem): SpanDraft {
  const { span } = item;
  const draft: SpanDraft = {
    id: hex(span.spanId),
    traceId: hex(span.traceId),
    parentId: span.parentSpanId && span.parentSpanId.length > 0 ? hex(span.parentSpanId) : null,
    kind: 'SPAN',
    name: span.name ?? '',
    startTime: null,
  };
  draft.problem =
    checkId(span.traceId, 'traceId', 16) ??
    checkId(span.spanId, 'spanId', 8) ??
    (span.parentSpanId && span.parentSpanId.length > 0 ? checkId(span.parentSpanId, 'parentSpanId', 8) : undefined);
  if (draft.problem) return draft;

  const bag = new AttributeBag(span.attributes ?? []);
  if (bag.tooDeep) return { ...draft, problem: `attribute "${bag.tooDeep.slice(0, 100)}" is nested too deep to read` };
  let events: SpanEvent[];
  try {
    events = readSpanEvents(span.events);
  } catch (err) {
    if (err instanceof AttributeTooDeepError) return { ...draft, problem: 'an event attribute is nested too deep to read' };
    throw err;
  }

  const startMs = unixNanosToMillis(span.startTimeUnixNano);
  const endMs = unixNanosToMillis(span.endTimeUnixNano);
  if (startMs <= 0) return { ...draft, problem: 'startTimeUnixNano is missing' };
  draft.startTime = new Date(startMs);
  draft.endTime = endMs > 0 ? new Date(endMs) : null;

  const usage = mapUsage(bag);
  draft.kind = mapKind(bag, usage.hasUsage);
  draft.model = usage.model;
  draft.provider = usage.provider;
  draft.promptTokens = usage.promptTokens;
  draft.completionTokens = usage.completionTokens;
  draft.cacheReadTokens = usage.cacheReadTokens;
  draft.cacheWriteTokens = usage.cacheWriteTokens;
  draft.reasoningTokens = usage.reasoningTokens;
  draft.completionStartTime = completionStart(bag, startMs, endMs);

  const content = mapContent(bag, events);
  draft.input = content.input;
  draft.output = content.output;

  const exceptions = readExceptions(events);
  const code = span.status?.code ?? 0;
  draft.status = code === 2 ? 'ERROR' : code === 1 ? 'OK' : null;
  const errorType = bag.pickString(['error.type']);
  draft.statusMessage =
    span.status?.message ||
    (code === 2 ? (exceptions[0] ? describeException(exceptions[0]) : errorType) : undefined) ||
    null;

  draft.trace = {
    userId: bag.pickString(['user.id', 'enduser.id', 'ai.telemetry.metadata.userId']),
    sessionId: bag.pickString(['session.id', 'gen_ai.conversation.id', 'ai.telemetry.metadata.sessionId']),
    tags: readTags(bag.pick(['tag.tags'])),
    metadata: item.resource,
  };
  draft.metadata = buildMetadata(item, span, bag, events, exceptions, errorType);
  return draft;
}

/** Time to first token, as GenAI (seconds) or the Vercel AI SDK (milliseconds) report it. */
function completionStart(bag: AttributeBag, startMs: number, endMs: number): Date | null {
  const seconds = bag.pick(['gen_ai.response.time_to_first_chunk', 'gen_ai.client.operation.time_to_first_chunk']);
  const millis = bag.pick(['ai.response.msToFirstChunk', 'ai.stream.msToFirstChunk']);
  const offset = typeof seconds === 'number' ? seconds * 1000 : typeof millis === 'number' ? millis : undefined;
  if (offset === undefined || !Number.isFinite(offset) || offset < 0) return null;
  // Rounding must not put the first token after the end.
  return new Date(endMs > 0 ? Math.min(startMs + offset, endMs) : startMs + offset);
}

interface ExceptionInfo {
  type?: unknown;
  message?: unknown;
  stacktrace?: unknown;
}

function readExceptions(events: SpanEvent[]): ExceptionInfo[] {
  const out: ExceptionInfo[] = [];
  for (const event of events) {
    if (event.name !== 'exception') continue;
    event.consumed = true;
    const a = event.attributes;
    out.push({ type: a['exception.type'], message: a['exception.message'], stacktrace: a['exception.stacktrace'] });
  }
  return out;
}

function describeException(e: ExceptionInfo): string {
  const type = typeof e.type === 'string' ? e.type : undefined;
  const message = typeof e.message === 'string' ? e.message : undefined;
  return [type, message].filter(Boolean).join(': ') || 'exception';
}

/** `tag.tags`: a list of strings, or one comma-separated string. */
function readTags(value: unknown): string[] | null {
  const list = Array.isArray(value) ? value : typeof value === 'string' ? value.split(',') : null;
  if (!list) return null;
  const tags = list.map((t) => String(t).trim()).filter((t) => t.length > 0);
  return tags.length > 0 ? tags : null;
}

function buildMetadata(
  item: OtlpSpanItem,
  span: OtlpSpan,
  bag: AttributeBag,
  events: SpanEvent[],
  exceptions: ExceptionInfo[],
  errorType: string | undefined,
): Record<string, unknown> | null {
  const meta: Record<string, unknown> = {};
  let entries = 0;
  let bytes = 0;
  let dropped = span.droppedAttributesCount ?? 0;
  const put = (key: string, value: unknown) => {
    const size = key.length + (typeof value === 'string' ? value.length : JSON.stringify(value)?.length ?? 4);
    if (entries >= MAX_METADATA_ENTRIES || bytes + size > MAX_METADATA_BYTES) {
      dropped++;
      return;
    }
    setOwn(meta, key, value);
    entries++;
    bytes += size;
  };

  // OpenInference keeps the app's own metadata as one JSON attribute: its keys come first.
  const own = parseJsonValue(bag.pick(['metadata']));
  if (isRecord(own)) for (const [k, v] of Object.entries(own)) put(k, v);
  if (errorType) put('error.type', errorType);
  for (const [key, value] of bag.unused()) if (!isContentAttribute(key)) put(key, value);

  if (item.scope?.name) put('otel.scope.name', item.scope.name);
  if (item.scope?.version) put('otel.scope.version', item.scope.version);
  const kind = OTEL_SPAN_KINDS[span.kind ?? 0];
  if (kind && kind !== 'UNSPECIFIED' && kind !== 'INTERNAL') put('otel.span_kind', kind);
  if (exceptions.length > 0) put('exception', exceptions.slice(0, MAX_EVENTS_KEPT));
  const others = events.filter((e) => !e.consumed);
  if (others.length > 0) {
    // Event attributes can quote content too: only names and times are kept.
    put('otel.events', others.slice(0, MAX_EVENTS_KEPT).map((e) => ({ name: e.name, time: isoOrNull(e.timeMs) })));
  }
  const links = span.links ?? [];
  if (links.length > 0) put('otel.links', links.slice(0, MAX_EVENTS_KEPT).map((l) => ({ traceId: hex(l.traceId), spanId: hex(l.spanId) })));
  if (dropped > 0) meta['otel.dropped_attributes_count'] = dropped;
  return entries > 0 || dropped > 0 ? meta : null;
}
