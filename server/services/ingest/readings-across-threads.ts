import { UnparsedContent } from './content-source-text';
import { packBytes, transferListOf, unpackBytes, type PackedBytes } from './packed-bytes';
import type { SpanReading } from './read-spans';
import type { EarlySealing, SealFor } from './sealed-in-worker';
import { contentSlot, readingsFromJson, readingsToJson } from './readings-as-json';
import type { Sealer } from './worker-sealer';

// Span readings made in a worker thread (the OTLP and GraphQL read workers) on their way to the
// server's thread. Content crosses as JSON text, two parts per valid span in order (packed-bytes.ts,
// one moved buffer); when the server asked (early-sealing.ts), the same parts cross sealed for
// storage too, in a second moved buffer. The rest of the readings crosses as one JSON string
// (readings-as-json.ts), which the server's thread reads in about a third of the time a structured
// clone of them took it.
//
// On the server's thread each content value stays that text (UnparsedContent, content-source-text.ts)
// until a stage needs the value — a redactor, a custom pattern, a live-tail subscriber — which
// then parses it, the text remembered with it. The encode stage takes the worker's seal, or seals
// the text as it is, so content is written out once, in the worker. JSON text carries JSON data
// exactly, so redaction, live tail and storage see the value the server's own thread would have made.

/** A batch's readings on their way to the server's thread. */
export interface ReadingsAcross {
  /** The readings (readings-as-json.ts), without the content that crosses as text. */
  json: string;
  /** That content as JSON text, two parts per valid span. */
  texts: PackedBytes;
  /** The same parts sealed for storage, when the server asked for it. */
  sealed?: PackedBytes;
}

/**
 * Worker side: takes each valid span's object or array content out of `read` as its text
 * (`textOf`), and seals the texts when the server asked (`seal`) and the worker can (`sealer`).
 */
export function takeReadingsOut(
  read: SpanReading[],
  textOf: (value: object) => Uint8Array,
  sealer?: Sealer,
  seal?: SealFor,
): ReadingsAcross {
  const texts: (Uint8Array | null)[] = [];
  const rowIds: string[] = [];
  const take = (value: unknown) => (typeof value === 'object' && value !== null ? textOf(value) : null);
  // Content that is not an object or array (a string, null) stays in the reading; its part is null.
  const json = readingsToJson(read, (span) => {
    const input = take(span.input);
    const output = take(span.output);
    texts.push(input, output);
    rowIds.push(span.id);
    return [input ? null : contentSlot(span.input), output ? null : contentSlot(span.output)];
  });
  const sealed = sealer && seal ? packBytes(sealer.seal(seal, rowIds, texts)) : undefined;
  return { json, texts: packBytes(texts), ...(sealed ? { sealed } : {}) };
}

/** Its buffers, for postMessage's transfer list. */
export function readingsTransferList(readings: ReadingsAcross): ArrayBuffer[] {
  return readings.sealed ? [...transferListOf(readings.texts), ...transferListOf(readings.sealed)] : transferListOf(readings.texts);
}

/**
 * Server side: the readings, each valid span's content put back as its text until a stage needs
 * the value, with the worker's seal when it sealed for `sealing`.
 */
export function putReadingsBack(readings: ReadingsAcross, sealing?: EarlySealing | null): SpanReading[] {
  const read = readingsFromJson(readings.json);
  const texts = unpackBytes(readings.texts);
  const sealed = readings.sealed && sealing ? unpackBytes(readings.sealed) : undefined;
  let part = 0;
  const back = (text: Buffer | null | undefined, k: number, rowId: string, column: 'input' | 'output') => {
    if (!text) return undefined;
    const bytes = sealed?.[k];
    return new UnparsedContent(text, bytes && sealing ? { bytes, projectId: sealing.target.projectId, rowId, column, keys: sealing.keys } : undefined);
  };
  for (const reading of read) {
    if (!('span' in reading)) continue;
    const { span } = reading;
    const input = back(texts[part], part, span.id, 'input');
    const output = back(texts[part + 1], part + 1, span.id, 'output');
    part += 2;
    if (input) span.input = input;
    if (output) span.output = output;
  }
  return read;
}
