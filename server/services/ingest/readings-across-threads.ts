import { UnparsedContent } from './content-source-text';
import { packBytes, transferListOf, unpackBytes, type PackedBytes } from './packed-bytes';
import type { SpanReading } from './read-spans';
import type { EarlySealing, SealFor } from './sealed-in-worker';
import type { Sealer } from './worker-sealer';

// Span readings made in a worker thread (the OTLP and GraphQL read workers) on their way to the
// server's thread. Content crosses as JSON text, two parts per valid span in order (packed-bytes.ts,
// one moved buffer); the rest of a reading crosses by structured clone. When the server asked
// (early-sealing.ts), the same parts cross sealed for storage too, in a second moved buffer.
//
// On the server's thread each content value stays that text (UnparsedContent, content-source-text.ts)
// until a stage needs the value — a redactor, a custom pattern, a live-tail subscriber — which
// then parses it, the text remembered with it. The encode stage takes the worker's seal, or seals
// the text as it is, so content is written out once, in the worker. JSON text carries JSON data
// exactly, so redaction, live tail and storage see the value the server's own thread would have made.

/** A batch's content on its way to the server's thread. */
export interface ContentAcross {
  texts: PackedBytes;
  /** The same parts sealed for storage, when the server asked for it. */
  sealed?: PackedBytes;
}

/**
 * Worker side: takes each valid span's object or array content out of `read` as its text
 * (`textOf`), and seals the texts when the server asked (`seal`) and the worker can (`sealer`).
 */
export function takeContentOut(
  read: SpanReading[],
  textOf: (value: object) => Uint8Array,
  sealer?: Sealer,
  seal?: SealFor,
): ContentAcross {
  const texts: (Uint8Array | null)[] = [];
  const rowIds: string[] = [];
  const take = (value: unknown) => (typeof value === 'object' && value !== null ? textOf(value) : null);
  for (const reading of read) {
    if (!('span' in reading)) continue;
    const { span } = reading;
    const input = take(span.input);
    const output = take(span.output);
    texts.push(input, output);
    rowIds.push(span.id);
    if (input) span.input = null;
    if (output) span.output = null;
  }
  // A part that is not text (a string, null) is left to the server: null here, and not used.
  const sealed = sealer && seal ? packBytes(sealer.seal(seal, rowIds, texts)) : undefined;
  return { texts: packBytes(texts), ...(sealed ? { sealed } : {}) };
}

/** Its buffers, for postMessage's transfer list. */
export function contentTransferList(content: ContentAcross): ArrayBuffer[] {
  return content.sealed ? [...transferListOf(content.texts), ...transferListOf(content.sealed)] : transferListOf(content.texts);
}

/**
 * Server side: puts each valid span's content back, as its text until a stage needs the value,
 * with the worker's seal when it sealed for `sealing`.
 */
export function putContentBack(read: SpanReading[], content: ContentAcross, sealing?: EarlySealing | null): SpanReading[] {
  const texts = unpackBytes(content.texts);
  const sealed = content.sealed && sealing ? unpackBytes(content.sealed) : undefined;
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
