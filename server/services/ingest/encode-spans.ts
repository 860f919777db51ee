import type { CodecContext, ContentCodec } from '../../../plugins/core/index';
import type { AppDeps } from '../../context';
import type { NewSpanRow } from '../../db/tables';
import type { SpanModel } from '../models';
import { encodeContent, encodeContentText } from '../../storage/content';
import { sourceTextOf } from './content-source-text';
import { sealedEarly } from './early-sealing';

// The encode stage: a span model → its row. Content becomes JSON bytes through the storage codec
// (AES-256-GCM with the encryption plugin), bound to its project, row and column. Content a read
// worker already sealed for exactly that place is taken as it is (early-sealing.ts); the rest of
// a large batch is sealed in the codec's worker thread when it has one (encode-pool.ts), otherwise
// here.

type SealedContent = { input: Uint8Array | null; output: Uint8Array | null };

/** The rows of one project's spans, in order. */
export async function encodeSpans(deps: Pick<AppDeps, 'codec' | 'encodePool'>, projectId: string, spans: SpanModel[], keys?: CodecContext['keys']): Promise<NewSpanRow[]> {
  const early = spans.map((span) => sealedInWorker(span, projectId, keys));
  const rest = spans.filter((_, i) => !early[i]);
  const pooled = rest.length > 0 ? ((await deps.encodePool?.encode(projectId, keys, rest)) ?? null) : null;
  let next = 0;
  return spans.map((span, i) => encodeSpan(deps.codec, span, keys, early[i] ?? (pooled ? pooled[next++] : undefined)));
}

/** Both content values as a read worker sealed them for this span (absent content needs none); else undefined. */
function sealedInWorker(span: SpanModel, projectId: string, keys: CodecContext['keys']): SealedContent | undefined {
  const input = span.content?.input ?? null;
  const output = span.content?.output ?? null;
  const sealedInput = input === null ? null : sealedEarly(input, projectId, span.id, 'input', keys);
  if (sealedInput === undefined) return undefined;
  const sealedOutput = output === null ? null : sealedEarly(output, projectId, span.id, 'output', keys);
  return sealedOutput === undefined ? undefined : { input: sealedInput, output: sealedOutput };
}

/** A content value through the codec: its JSON text from the request when it is known (content-source-text.ts). */
function encodeValue(codec: ContentCodec, value: unknown, ctx: CodecContext): Uint8Array | null {
  const text = sourceTextOf(value);
  return text ? encodeContentText(codec, text, ctx) : encodeContent(codec, value, ctx);
}

/** Where a value is stored, for the codec: built only for content sealed here, as most large batches come sealed already. */
function placeOf(span: SpanModel, column: 'input' | 'output', keys: CodecContext['keys'] | undefined): CodecContext {
  return { projectId: span.projectId, table: 'spans', rowId: span.id, column, ...(keys ? { keys } : {}) };
}

/** `sealed`: the span's content as the worker already stored it. */
export function encodeSpan(codec: ContentCodec, span: SpanModel, keys?: CodecContext['keys'], sealed?: SealedContent): NewSpanRow {
  return {
    project_id: span.projectId,
    id: span.id,
    trace_id: span.traceId,
    parent_id: span.parentId,
    kind: span.kind,
    name: span.name,
    model: span.model,
    provider: span.provider,
    input: sealed ? sealed.input : encodeValue(codec, span.content?.input ?? null, placeOf(span, 'input', keys)),
    output: sealed ? sealed.output : encodeValue(codec, span.content?.output ?? null, placeOf(span, 'output', keys)),
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
