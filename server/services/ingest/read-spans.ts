import type { SpanDraft } from './span-draft';
import { validateSpan, type SpanInputData } from './validate-span';

// Stages 3 and 4 for a whole batch: each item through the door's map, each draft through validate.
// The server's thread runs it, or for a large OTLP body the OTLP read worker
// (otlp/otlp-read-pool.ts): the same function either way, so a span is read the same wherever.

/** One item read: a valid span, or why it is rejected (with the id it gave, when it gave one). */
export type SpanReading = { span: SpanInputData } | { reason: string; id: string | null };

export function readSpans<Item>(items: readonly Item[], map: (item: Item) => SpanDraft, now: number): SpanReading[] {
  return items.map((item) => {
    const draft = mapItem(map, item);
    const result = validateSpan(draft, now);
    return 'span' in result ? result : { reason: result.reason, id: typeof draft.id === 'string' ? draft.id : null };
  });
}

/** A door's mapper that throws on one item rejects that item only. */
function mapItem<Item>(map: (item: Item) => SpanDraft, item: Item): SpanDraft {
  try {
    return map(item);
  } catch {
    return { id: null, traceId: null, kind: null, name: null, startTime: null, problem: 'the span could not be read' };
  }
}

/**
 * The `spans` of a GraphQL ingest request whose body a worker thread already read — parsed,
 * coerced, mapped and validated (server/http/graphql-read-pool.ts) — standing in for the coerced
 * list until the resolver hands the readings to ingest. Only the server makes one: no request can
 * spell a class instance.
 */
export class SpansReadInWorker {
  constructor(readonly read: SpanReading[]) {}
}
