import { keyValuesToObject, unixNanosToMillis, type LongLike, type OtlpKeyValue } from './otlp-values';

// A span's events, read once. The mapping marks the ones it turns into content or an error
// (`consumed`); the rest are kept in the span's metadata.

export interface OtlpEvent {
  timeUnixNano?: LongLike | number | string | null;
  name?: string;
  attributes?: OtlpKeyValue[];
}

export interface SpanEvent {
  name: string;
  timeMs: number;
  attributes: Record<string, unknown>;
  consumed: boolean;
}

export function readSpanEvents(events: readonly OtlpEvent[] | undefined): SpanEvent[] {
  return (events ?? []).map((e) => ({
    name: e.name ?? '',
    timeMs: unixNanosToMillis(e.timeUnixNano),
    attributes: keyValuesToObject(e.attributes ?? []),
    consumed: false,
  }));
}
