import type { PriceBook } from '../../prices/price-book';
import type { SpanModel } from '../models';
import type { RedactedSpan } from './redact-spans';

// The price stage: each span's cost from the model price table (null when the model has no
// price), and with it the span's one model — what encode turns into a row and publish sends to
// the live tail. Built once here; the store stage only corrects the figures a merge with the
// stored copy changes.

export interface PricedSpan extends RedactedSpan {
  model: SpanModel;
}

export function priceSpans(prices: PriceBook, projectId: string, spans: RedactedSpan[]): PricedSpan[] {
  return spans.map((entry) => {
    const { span, redactions } = entry;
    const promptTokens = span.promptTokens ?? null;
    const completionTokens = span.completionTokens ?? null;
    const totalTokens = promptTokens === null && completionTokens === null ? null : (promptTokens ?? 0) + (completionTokens ?? 0);
    const costUsd = span.model ? prices.costFor(span.model, span.startTime, promptTokens, completionTokens) : null;
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
      cacheReadTokens: span.cacheReadTokens ?? null,
      cacheWriteTokens: span.cacheWriteTokens ?? null,
      reasoningTokens: span.reasoningTokens ?? null,
      costUsd,
      startTime: span.startTime,
      endTime: span.endTime ?? null,
      completionStartTime: span.completionStartTime ?? null,
      status: span.status ?? 'OK',
      statusMessage: span.statusMessage ?? null,
      metadata: span.metadata ?? null,
      redactions,
      content: { input: span.input ?? null, output: span.output ?? null },
    };
    return { ...entry, model };
  });
}
