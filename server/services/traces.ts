import type { RequestContext } from '../context';
import { findSpanContentsOfTrace, findSpansOfTrace, findTrace, type SpanMetaRow } from '../db/repositories/spans';
import type { SpanRow, TraceRow } from '../db/tables';
import { AppError } from '../errors';
import { readProjectContent, type ContentFailure } from '../storage/content';
import { noteContentRead } from './access-log/record-content-read';
import type { RedactionHit, SpanKindName, SpanModel, SpanStatusName, TraceModel } from './models';
import { MemoSlot } from '../request-memo';

// (The trace list, its filters, sorts and cursors: trace-list.ts.)

// Reads. Lists read the compact trace roll-ups only; span content is decoded only for a
// detail view, and only when the query asks for it.

export function toTraceModel(row: TraceRow): TraceModel {
  return {
    projectId: row.project_id,
    id: row.id,
    name: row.name,
    userId: row.user_id,
    sessionId: row.session_id,
    tags: row.tags,
    metadata: row.metadata ?? null,
    startTime: row.start_time,
    endTime: row.end_time,
    spanCount: row.span_count,
    errorCount: row.error_count,
    totalTokens: Number(row.total_tokens),
    totalCostUsd: row.total_cost_usd,
  };
}

export function toSpanModel(row: SpanMetaRow): SpanModel {
  return {
    projectId: row.project_id,
    id: row.id,
    traceId: row.trace_id,
    parentId: row.parent_id,
    kind: row.kind as SpanKindName,
    name: row.name,
    model: row.model,
    provider: row.provider,
    promptTokens: row.prompt_tokens,
    completionTokens: row.completion_tokens,
    totalTokens: row.total_tokens,
    cacheReadTokens: row.cache_read_tokens,
    cacheWriteTokens: row.cache_write_tokens,
    reasoningTokens: row.reasoning_tokens,
    costUsd: row.cost_usd,
    startTime: row.start_time,
    endTime: row.end_time,
    completionStartTime: row.completion_start_time,
    status: row.status as SpanStatusName,
    statusMessage: row.status_message,
    metadata: row.metadata ?? null,
    redactions: (row.redactions ?? []) as RedactionHit[],
    contentRemovedAt: row.content_removed_at,
  };
}

export async function getTrace(ctx: RequestContext, projectId: string, id: string): Promise<TraceModel | null> {
  const row = await findTrace(ctx.deps.db, projectId, id);
  return row ? toTraceModel(row) : null;
}

export async function listSpansOfTrace(ctx: RequestContext, projectId: string, traceId: string): Promise<SpanModel[]> {
  return (await findSpansOfTrace(ctx.deps.db, projectId, traceId)).map(toSpanModel);
}

export type ContentColumn = 'input' | 'output';

/** One field's content: its value, or why the stored value cannot be read. */
export type ContentField = { ok: true; value: unknown } | { ok: false; error: AppError };

type StoredContent = Pick<SpanRow, 'input' | 'output'>;

interface TraceContent {
  stored: Map<string, StoredContent>;
  /** Decoded on first use, per column and span, so a bad value costs only its own field. */
  read: Record<ContentColumn, Map<string, Promise<ContentField>>>;
}

const UNREADABLE_BECAUSE: Record<ContentFailure, string> = {
  truncated: 'the stored value is truncated',
  'unsupported-version': 'the stored value is not in a format this server reads',
  malformed: 'the stored value is not in a format this server reads',
  'unknown-key': "it was encrypted with a key the server no longer holds (not in its key ring, or a destroyed data key)",
  'no-project-keys': "the project's data keys could not be loaded",
  'authentication-failed': 'it failed authentication (altered, encrypted with a different key, or copied from another span)',
  'invalid-json': 'the storage codec returned something that is not JSON',
  'codec-error': 'the storage codec could not decode it',
};

/** A trace's stored content, loaded once per request by the first of its spans asked for it. */
const TRACE_CONTENT = new MemoSlot<{ projectId: string; traceId: string }, TraceContent>((t) => `${t.projectId}:${t.traceId}`);

/**
 * One content field of a span. The first call for a trace loads the content of all its spans
 * in one query; each value is then decoded on its own the first time it is asked for, so a
 * value that fails (tampered, wrong or unknown key, moved, truncated) fails only its field.
 */
export async function getSpanContentField(ctx: RequestContext, span: SpanModel, column: ContentColumn): Promise<ContentField> {
  // Only reached by a caller allowed to read content (the schema checks first): a read to record.
  await noteContentRead(ctx, span.projectId, span.traceId, [span.id]);
  if (span.content) return { ok: true, value: span.content[column] };
  const content = await TRACE_CONTENT.get(ctx.memo, span, () =>
    findSpanContentsOfTrace(ctx.deps.db, span.projectId, span.traceId).then((rows) => ({
      stored: new Map(rows.map((r) => [r.id, { input: r.input, output: r.output }])),
      read: { input: new Map(), output: new Map() },
    })),
  );
  let field = content.read[column].get(span.id);
  if (!field) {
    field = decodeField(ctx, span, column, content.stored.get(span.id)?.[column] ?? null);
    content.read[column].set(span.id, field);
  }
  return await field;
}

async function decodeField(ctx: RequestContext, span: SpanModel, column: ContentColumn, stored: Uint8Array | null): Promise<ContentField> {
  const place = { projectId: span.projectId, table: 'spans', rowId: span.id, column };
  const result = await readProjectContent(ctx.deps.codec, ctx.deps.projectKeys, stored, place);
  if (result.ok) return result;
  // Ids and the reason only: never the stored bytes, and never a plaintext fragment.
  ctx.deps.logger.error(
    { projectId: span.projectId, traceId: span.traceId, spanId: span.id, column, reason: result.reason, detail: result.detail },
    'span content unreadable',
  );
  const error = new AppError('CONTENT_UNREADABLE', `The stored ${column} of this span cannot be read: ${UNREADABLE_BECAUSE[result.reason]}.`, {
    reason: result.reason,
  });
  return { ok: false, error };
}

/** Both content fields of a span (see getSpanContentField). */
export async function getSpanContent(ctx: RequestContext, span: SpanModel): Promise<Record<ContentColumn, ContentField>> {
  const [input, output] = await Promise.all([getSpanContentField(ctx, span, 'input'), getSpanContentField(ctx, span, 'output')]);
  return { input, output };
}
