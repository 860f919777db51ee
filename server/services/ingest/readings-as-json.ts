import type { SpanReading } from './read-spans';
import type { SpanInputData } from './validate-span';

// Span readings as one JSON text, the form in which they cross from a read worker to the server's
// thread (readings-across-threads.ts). A valid span is an array of its fields in a fixed order, a
// rejected one stays `{ reason, id }`.
//
// Why not the structured clone postMessage would make: for 100 GenAI spans from bench:ingest, V8's
// deserializer took the server's thread 360–410 µs per batch, JSON.parse of the same readings as
// objects 210–260 µs (the worker's JSON.stringify then took twice its serializer's time), and as
// arrays less on both sides: no key is written, read or looked up per span, and every span is
// then built by the one object literal below, so each has the same shape for the stages after.
//
// Exact for what validate-span.ts makes: every field is JSON data (metadata and trace attributes
// are cleaned to JSON) or a Date, which crosses as milliseconds; an absent field is null there,
// except content, which keeps undefined apart from null.

type WireSpan = unknown[];
type WireReading = WireSpan | { reason: string; id: string | null };

const ms = (date: Date | null | undefined) => (date ? date.getTime() : null);
const date = (value: unknown) => (typeof value === 'number' ? new Date(value) : null);

/**
 * Content that stays in the reading (not taken out as text): `[value]`, so null stays apart from
 * undefined; null when it was taken out or is undefined.
 */
export function contentSlot(value: unknown): [unknown] | null {
  return value === undefined ? null : [value];
}

function spanToWire(s: SpanInputData, input: [unknown] | null, output: [unknown] | null): WireSpan {
  return [
    s.id, s.traceId, s.parentId ?? null, s.kind, s.name, s.model ?? null, s.provider ?? null, input, output,
    s.promptTokens ?? null, s.completionTokens ?? null, s.cacheReadTokens ?? null, s.cacheWriteTokens ?? null, s.reasoningTokens ?? null,
    ms(s.startTime), ms(s.endTime), ms(s.completionStartTime), s.status ?? null, s.statusMessage ?? null, s.metadata ?? null, s.trace ?? null,
  ];
}

function spanFromWire(w: WireSpan): SpanInputData {
  const input = w[7] as [unknown] | null;
  const output = w[8] as [unknown] | null;
  // `satisfies`: a field added to SpanInputData fails to compile here until it crosses too.
  return {
    id: w[0] as string,
    traceId: w[1] as string,
    parentId: w[2] as string | null,
    kind: w[3] as SpanInputData['kind'],
    name: w[4] as string,
    model: w[5] as string | null,
    provider: w[6] as string | null,
    input: input === null ? undefined : input[0],
    output: output === null ? undefined : output[0],
    promptTokens: w[9] as number | null,
    completionTokens: w[10] as number | null,
    cacheReadTokens: w[11] as number | null,
    cacheWriteTokens: w[12] as number | null,
    reasoningTokens: w[13] as number | null,
    startTime: date(w[14])!,
    endTime: date(w[15]),
    completionStartTime: date(w[16]),
    status: w[17] as SpanInputData['status'],
    statusMessage: w[18] as string | null,
    metadata: w[19],
    trace: w[20] as SpanInputData['trace'],
  } satisfies { [K in keyof SpanInputData]-?: unknown };
}

/**
 * The readings as JSON; `content(span)` gives each valid span's input and output slots
 * (contentSlot, or null for content that crosses as text beside the readings).
 */
export function readingsToJson(read: readonly SpanReading[], content: (span: SpanInputData) => [[unknown] | null, [unknown] | null]): string {
  const wire: WireReading[] = read.map((reading) => {
    if (!('span' in reading)) return { reason: reading.reason, id: reading.id };
    const [input, output] = content(reading.span);
    return spanToWire(reading.span, input, output);
  });
  return JSON.stringify(wire);
}

/** The readings readingsToJson wrote; content taken out as text reads undefined until it is put back. */
export function readingsFromJson(json: string): SpanReading[] {
  return (JSON.parse(json) as WireReading[]).map((entry) => (Array.isArray(entry) ? { span: spanFromWire(entry) } : entry));
}
