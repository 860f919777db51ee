import type { CodecContext, ContentCodec } from '../../../plugins/core/index';
import type { NewSpanRow } from '../../db/tables';
import type { SpanModel } from '../models';
import { encodeContent } from '../../storage/content';

// The encode stage: a span model → its row. Content becomes JSON bytes through the storage codec
// (AES-256-GCM with the encryption plugin), bound to its project, row and column.

export function encodeSpan(codec: ContentCodec, span: SpanModel, keys?: CodecContext['keys']): NewSpanRow {
  const where = { projectId: span.projectId, table: 'spans', rowId: span.id, ...(keys ? { keys } : {}) };
  return {
    project_id: span.projectId,
    id: span.id,
    trace_id: span.traceId,
    parent_id: span.parentId,
    kind: span.kind,
    name: span.name,
    model: span.model,
    provider: span.provider,
    input: encodeContent(codec, span.content?.input ?? null, { ...where, column: 'input' }),
    output: encodeContent(codec, span.content?.output ?? null, { ...where, column: 'output' }),
    metadata: span.metadata == null ? null : JSON.stringify(span.metadata),
    prompt_tokens: span.promptTokens,
    completion_tokens: span.completionTokens,
    total_tokens: span.totalTokens,
    cache_read_tokens: span.cacheReadTokens,
    cache_write_tokens: span.cacheWriteTokens,
    reasoning_tokens: span.reasoningTokens,
    cost_usd: span.costUsd,
    price_ref: span.priceRef ?? null,
    start_time: span.startTime,
    end_time: span.endTime,
    completion_start_time: span.completionStartTime,
    status: span.status,
    status_message: span.statusMessage,
    redactions: JSON.stringify(span.redactions),
  };
}
