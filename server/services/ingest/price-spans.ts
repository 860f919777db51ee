import type { ProjectPricer } from '../../prices/price-book';
import type { SpanModel } from '../models';
import type { RedactedSpan } from './redact-spans';

// The price stage: each span's cost from the project's prices over the built-in table (null
// when no price covers the model at the span's start), cached input at the cached rate, and the
// reference of the price that applied; with them the span's one model — what encode turns into a
// row and publish sends to the live tail. The store stage only corrects the figures a merge with
// the stored copy changes, with the same pricer.

export interface PricedSpan extends RedactedSpan {
  model: SpanModel;
}

/** `pricer` is `PriceBook.forProject(projectId)`, awaited once per batch. */
export function priceSpans(pricer: ProjectPricer, projectId: string, spans: RedactedSpan[]): PricedSpan[] {
  return spans.map((entry) => {
    const { span, redactions } = entry;
    const promptTokens = span.promptTokens ?? null;
    const completionTokens = span.completionTokens ?? null;
    const cacheReadTokens = span.cacheReadTokens ?? null;
    const cacheWriteTokens = span.cacheWriteTokens ?? null;
    const totalTokens = promptTokens === null && completionTokens === null ? null : (promptTokens ?? 0) + (completionTokens ?? 0);
    const priced = span.model
      ? pricer.price(span.model, span.startTime, { promptTokens, completionTokens, cacheReadTokens, cacheWriteTokens })
      : { costUsd: null, priceRef: null };
    const model: SpanModel = {
      projectId,
      id: span.id,
      traceId: span.traceId,
      parentId: span.parentId ?? null,
      kind: span.kind,
      name: span.name,
      model: span.model ?? null,
      provider: span.provider ?? null,
      promptTokens,
      completionTokens,
      totalTokens,
      cacheReadTokens,
      cacheWriteTokens,
      reasoningTokens: span.reasoningTokens ?? null,
      costUsd: priced.costUsd,
      priceRef: priced.priceRef,
      startTime: span.startTime,
      endTime: span.endTime ?? null,
      completionStartTime: span.completionStartTime ?? null,
      status: span.status ?? 'OK',
      statusMessage: span.statusMessage ?? null,
      metadata: span.metadata ?? null,
      redactions,
      content: { input: span.input ?? null, output: span.output ?? null },
    };
    // Written out, not `{ ...entry, model }`: a spread followed by a new key is ~1 µs a span.
    return { indexes: entry.indexes, span, redactions, model };
  });
}
