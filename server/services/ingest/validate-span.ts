import { SPAN_KINDS, SPAN_STATUSES, type SpanKindName, type SpanStatusName } from '../models';
import { cleanJson, cleanText, JsonTooDeepError, nestsDeeperThan } from './clean-values';
import {
  MAX_JSON_DEPTH,
  MAX_METADATA_BYTES,
  MAX_MODEL_CHARS,
  MAX_NAME_CHARS,
  MAX_STATUS_MESSAGE_CHARS,
  MAX_TAG_CHARS,
  MAX_TAGS,
  MAX_TOKENS_PER_FIELD,
  MAX_TRACE_ATTRIBUTE_CHARS,
} from './ingest-limits';
import type { SpanDraft, TraceDraft } from './span-draft';

// The validate stage: one span draft (as either front door mapped it) → a typed, clean span, or
// the reason it is rejected. Every per-span field a sender can get wrong — ids, times, the kind and
// status enums, token counts, text, nesting, sizes — is checked here, so one bad span is named by
// its index while the rest of the batch is stored. Cleaning (NUL, lone surrogates) is described in
// clean-values.ts; the limits in ingest-limits.ts; both in docs/ingest.md.

export interface TraceAttributesInput {
  name?: string | null;
  userId?: string | null;
  sessionId?: string | null;
  tags?: string[] | null;
  metadata?: unknown;
}

/** A valid span: what the stages after validate work on (redaction rewrites its content). */
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
  cacheReadTokens?: number | null;
  cacheWriteTokens?: number | null;
  reasoningTokens?: number | null;
  startTime: Date;
  endTime?: Date | null;
  completionStartTime?: Date | null;
  status?: SpanStatusName | null;
  statusMessage?: string | null;
  metadata?: unknown;
  trace?: TraceAttributesInput | null;
}

const ID_PATTERN = /^[\x21-\x7e]{1,128}$/; // printable ASCII, no spaces: uuids, hex, ulids, OTel ids
// ISO-8601 with a time zone (`Z` or `±hh:mm`), so a client's local time is never read as ours.
const ISO_WITH_ZONE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/i;
const EARLIEST = Date.UTC(2000, 0, 1);
const MAX_CLOCK_SKEW_MS = 24 * 3600 * 1000;
const TOKEN_FIELDS = ['promptTokens', 'completionTokens', 'cacheReadTokens', 'cacheWriteTokens', 'reasoningTokens'] as const;

/** Thrown inside this module only: carries the reason a span is rejected. */
class Invalid extends Error {}
const invalid = (reason: string): never => {
  throw new Invalid(reason);
};

const absent = (v: unknown): v is null | undefined => v === null || v === undefined;
const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function id(value: unknown, field: string): string {
  const text = typeof value === 'number' && Number.isSafeInteger(value) ? String(value) : value;
  if (typeof text !== 'string' || !ID_PATTERN.test(text)) invalid(`${field} must be 1-128 printable ASCII characters without spaces`);
  return text as string;
}

function text(value: unknown, field: string, max: number): string | null {
  if (absent(value)) return null;
  if (typeof value !== 'string') return invalid(`${field} must be a string`);
  if (value.length > max) invalid(`${field} is longer than ${max} characters`);
  return cleanText(value);
}

function oneOf<T extends string>(value: unknown, field: string, allowed: readonly T[]): T {
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    invalid(`${field} must be one of ${allowed.join(', ')}`);
  }
  return value as T;
}

function time(value: unknown, field: string): Date | null {
  if (absent(value)) return null;
  let date: Date;
  if (value instanceof Date) date = value;
  else if (typeof value === 'string' && ISO_WITH_ZONE.test(value)) date = new Date(value);
  else return invalid(`${field} must be an ISO-8601 time with a time zone, e.g. 2026-01-31T12:00:00.000Z`);
  if (Number.isNaN(date.getTime())) invalid(`${field} is not a real date`);
  return date;
}

function tokens(value: unknown, field: string): number | null {
  if (absent(value)) return null;
  if (typeof value !== 'number' || !Number.isInteger(value)) return invalid(`${field} must be a whole number`);
  if (value < 0) invalid(`${field} must not be negative`);
  if (value > MAX_TOKENS_PER_FIELD) invalid(`${field} is above the maximum of ${MAX_TOKENS_PER_FIELD.toLocaleString('en')} tokens`);
  return value;
}

/** A JSON object (metadata): cleaned, bounded in depth and size. */
function jsonObject(value: unknown, field: string): Record<string, unknown> | null {
  if (absent(value)) return null;
  if (!isPlainObject(value)) return invalid(`${field} must be a JSON object`);
  try {
    const cleaned = cleanJson(value, MAX_JSON_DEPTH);
    if (cleaned.approxBytes > MAX_METADATA_BYTES) invalid(`${field} is larger than ${MAX_METADATA_BYTES} bytes`);
    return cleaned.value as Record<string, unknown>;
  } catch (err) {
    if (err instanceof JsonTooDeepError) invalid(`${field} is nested deeper than ${MAX_JSON_DEPTH} levels`);
    throw err;
  }
}

/** Content (input, output): stored as sent, through the codec; only its depth is bounded. */
function content(value: unknown, field: string): unknown {
  if (nestsDeeperThan(value, MAX_JSON_DEPTH)) invalid(`${field} is nested deeper than ${MAX_JSON_DEPTH} levels`);
  return value;
}

function traceAttributes(trace: TraceDraft | null | undefined): TraceAttributesInput | null {
  if (absent(trace)) return null;
  if (!isPlainObject(trace)) return invalid('trace must be an object');
  let tags: string[] | null = null;
  if (!absent(trace.tags)) {
    if (!Array.isArray(trace.tags) || trace.tags.some((t) => typeof t !== 'string')) invalid('trace.tags must be a list of strings');
    const list = trace.tags as string[];
    if (list.length > MAX_TAGS) invalid(`trace.tags has more than ${MAX_TAGS} tags`);
    tags = list.map((t) => cleanText(t).trim());
    if (tags.some((t) => t.length === 0 || t.length > MAX_TAG_CHARS)) invalid(`each trace tag needs 1-${MAX_TAG_CHARS} characters`);
  }
  return {
    name: text(trace.name, 'trace.name', MAX_NAME_CHARS),
    userId: text(trace.userId, 'trace.userId', MAX_TRACE_ATTRIBUTE_CHARS),
    sessionId: text(trace.sessionId, 'trace.sessionId', MAX_TRACE_ATTRIBUTE_CHARS),
    tags,
    metadata: jsonObject(trace.metadata, 'trace.metadata'),
  };
}

function toValidSpan(draft: SpanDraft, now: number): SpanInputData {
  if (draft.problem) invalid(draft.problem);
  const spanId = id(draft.id, 'id');
  const traceId = id(draft.traceId, 'traceId');
  let parentId: string | null = null;
  if (!absent(draft.parentId) && draft.parentId !== '') {
    parentId = id(draft.parentId, 'parentId');
    if (parentId === spanId) invalid('parentId must not equal the span id');
  }
  const kind = oneOf(draft.kind, 'kind', SPAN_KINDS);
  const name = text(draft.name, 'name', MAX_NAME_CHARS);
  if (name === null || name.trim().length === 0) invalid('name must not be empty');
  const status = absent(draft.status) ? null : oneOf(draft.status, 'status', SPAN_STATUSES);

  const counts = Object.fromEntries(TOKEN_FIELDS.map((f) => [f, tokens(draft[f], f)])) as Record<(typeof TOKEN_FIELDS)[number], number | null>;

  const startTime = time(draft.startTime, 'startTime') ?? invalid('startTime is required');
  const start = startTime.getTime();
  if (start < EARLIEST) invalid('startTime is before the year 2000: send an ISO-8601 time with a time zone');
  if (start > now + MAX_CLOCK_SKEW_MS) invalid('startTime is more than a day in the future: check the client clock');
  const endTime = time(draft.endTime, 'endTime');
  if (endTime && endTime.getTime() < start) invalid('endTime is before startTime');
  const completionStartTime = time(draft.completionStartTime, 'completionStartTime');
  if (completionStartTime) {
    const first = completionStartTime.getTime();
    if (first < start) invalid('completionStartTime is before startTime');
    if (endTime && first > endTime.getTime()) invalid('completionStartTime is after endTime');
  }

  return {
    id: spanId,
    traceId,
    parentId,
    kind,
    name: name as string,
    model: text(draft.model, 'model', MAX_MODEL_CHARS),
    provider: text(draft.provider, 'provider', MAX_MODEL_CHARS),
    input: content(draft.input, 'input'),
    output: content(draft.output, 'output'),
    ...counts,
    startTime,
    endTime,
    completionStartTime,
    status,
    statusMessage: text(draft.statusMessage, 'statusMessage', MAX_STATUS_MESSAGE_CHARS),
    metadata: jsonObject(draft.metadata, 'metadata'),
    trace: traceAttributes(draft.trace),
  };
}

/** The span, typed and cleaned, or the reason it is rejected. */
export function validateSpan(draft: SpanDraft, now: number): { span: SpanInputData } | { reason: string } {
  try {
    return { span: toValidSpan(draft, now) };
  } catch (err) {
    if (err instanceof Invalid) return { reason: err.message };
    throw err;
  }
}
