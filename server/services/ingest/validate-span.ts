import type { SpanKindName, SpanStatusName } from '../models';

// Per-span checks. Each returns a reason a developer can act on, so one bad span is reported
// by its index while the rest of the batch is stored. (Shape errors the GraphQL layer catches
// before we run — a missing required field, a malformed DateTime — reject the request and name
// the span by its path, e.g. `spans[3].startTime`.)

export interface TraceAttributesInput {
  name?: string | null;
  userId?: string | null;
  sessionId?: string | null;
  tags?: string[] | null;
  metadata?: unknown;
}

export interface SpanInputData {
  id: string;
  traceId: string;
  parentId?: string | null;
  kind: SpanKindName;
  name: string;
  model?: string | null;
  provider?: string | null;
  input?: unknown;
  output?: unknown;
  promptTokens?: number | null;
  completionTokens?: number | null;
  startTime: Date;
  endTime?: Date | null;
  completionStartTime?: Date | null;
  status?: SpanStatusName | null;
  statusMessage?: string | null;
  metadata?: unknown;
  trace?: TraceAttributesInput | null;
}

const ID_PATTERN = /^[\x21-\x7e]{1,128}$/; // printable ASCII, no spaces: uuids, hex, ulids, OTel ids
const EARLIEST = Date.UTC(2000, 0, 1);
const MAX_CLOCK_SKEW_MS = 24 * 3600 * 1000;
const MAX_TAGS = 50;

function isPlainObject(v: unknown): boolean {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function checkText(value: string | null | undefined, field: string, max: number): string | undefined {
  if (value === null || value === undefined) return undefined;
  if (value.length > max) return `${field} is longer than ${max} characters`;
  return undefined;
}

export function validateSpan(span: SpanInputData, now: number): string | undefined {
  if (!ID_PATTERN.test(span.id)) return 'id must be 1-128 printable ASCII characters without spaces';
  if (!ID_PATTERN.test(span.traceId)) return 'traceId must be 1-128 printable ASCII characters without spaces';
  if (span.parentId != null) {
    if (!ID_PATTERN.test(span.parentId)) return 'parentId must be 1-128 printable ASCII characters without spaces';
    if (span.parentId === span.id) return 'parentId must not equal the span id';
  }
  if (span.name.trim().length === 0) return 'name must not be empty';
  const textProblem =
    checkText(span.name, 'name', 1000) ??
    checkText(span.model, 'model', 200) ??
    checkText(span.provider, 'provider', 200) ??
    checkText(span.statusMessage, 'statusMessage', 10_000);
  if (textProblem) return textProblem;

  for (const [field, value] of [
    ['promptTokens', span.promptTokens],
    ['completionTokens', span.completionTokens],
  ] as const) {
    if (value != null && value < 0) return `${field} must not be negative`;
  }

  const start = span.startTime.getTime();
  if (start < EARLIEST) return 'startTime is before the year 2000: send an ISO-8601 time with a time zone';
  if (start > now + MAX_CLOCK_SKEW_MS) return 'startTime is more than a day in the future: check the client clock';
  if (span.endTime && span.endTime.getTime() < start) return 'endTime is before startTime';
  if (span.completionStartTime) {
    const first = span.completionStartTime.getTime();
    if (first < start) return 'completionStartTime is before startTime';
    if (span.endTime && first > span.endTime.getTime()) return 'completionStartTime is after endTime';
  }

  if (span.metadata != null && !isPlainObject(span.metadata)) return 'metadata must be a JSON object';

  const trace = span.trace;
  if (trace) {
    const traceProblem =
      checkText(trace.name, 'trace.name', 1000) ??
      checkText(trace.userId, 'trace.userId', 200) ??
      checkText(trace.sessionId, 'trace.sessionId', 200);
    if (traceProblem) return traceProblem;
    if (trace.tags) {
      if (trace.tags.length > MAX_TAGS) return `trace.tags has more than ${MAX_TAGS} tags`;
      if (trace.tags.some((t) => t.trim().length === 0 || t.length > 200)) return 'each trace tag needs 1-200 characters';
    }
    if (trace.metadata != null && !isPlainObject(trace.metadata)) return 'trace.metadata must be a JSON object';
  }
  return undefined;
}
