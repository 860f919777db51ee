import type { CodecContext, ContentCodec } from '../../../plugins/core/index';
import type { AppDeps } from '../../context';
import type { NewSpanRow } from '../../db/tables';
import type { SpanModel } from '../models';
import { encodeContent, encodeContentText } from '../../storage/content';
import { sourceTextOf } from './content-source-text';

// The encode stage: a span model → its row. Content becomes JSON bytes through the storage codec
// (AES-256-GCM with the encryption plugin), bound to its project, row and column. A large batch is
// sealed in the codec's worker thread when it has one (encode-pool.ts), otherwise here.

type SealedContent = { input: Uint8Array | null; output: Uint8Array | null };

/** The rows of one project's spans, in order. */
export async function encodeSpans(deps: Pick<AppDeps, 'codec' | 'encodePool'>, projectId: string, spans: SpanModel[], keys?: CodecContext['keys']): Promise<NewSpanRow[]> {
  const sealed = (await deps.encodePool?.encode(projectId, keys, spans)) ?? null;
  return spans.map((span, i) => encodeSpan(deps.codec, span, keys, sealed?.[i]));
}

/** A content value through the codec: its JSON text from the request when it is known (content-source-text.ts). */
function encodeValue(codec: ContentCodec, value: unknown, ctx: CodecContext): Uint8Array | null {
  const text = sourceTextOf(value);
  return text ? encodeContentText(codec, text, ctx) : encodeContent(codec, value, ctx);
}

/** `sealed`: the span's content as the worker already stored it. */
export function encodeSpan(codec: ContentCodec, span: SpanModel, keys?: CodecContext['keys'], sealed?: SealedContent): NewSpanRow {
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
    input: sealed ? sealed.input : encodeValue(codec, span.content?.input ?? null, { ...where, column: 'input' }),
    output: sealed ? sealed.output : encodeValue(codec, span.content?.output ?? null, { ...where, column: 'output' }),
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
