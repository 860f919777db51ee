import type { SpanModel } from './models';

// Live-tail events cross Redis as JSON, which turns a span's Dates into ISO strings; the
// schema's resolvers (latencyMs, timeToFirstTokenMs) call getTime() on them, so they are
// revived on the way in. Only these top-level fields of each span (an event carries a batch of
// them): strings in span content stay strings.

const DATE_FIELDS = ['startTime', 'endTime', 'completionStartTime'] as const satisfies readonly (keyof SpanModel)[];

export const spanEventSerializer = {
  stringify: (message: unknown): string => JSON.stringify(message),
  parse: (message: string): unknown => {
    const value: unknown = JSON.parse(message);
    return Array.isArray(value) ? value.map(reviveSpanDates) : reviveSpanDates(value);
  },
};

export function reviveSpanDates(value: unknown): unknown {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return value;
  const span = value as Record<string, unknown>;
  for (const field of DATE_FIELDS) {
    const v = span[field];
    if (typeof v === 'string') span[field] = new Date(v);
  }
  return span;
}
