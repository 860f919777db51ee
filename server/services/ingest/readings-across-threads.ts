import { UnparsedContent } from './content-source-text';
import { packBytes, unpackBytes, type PackedBytes } from './packed-bytes';
import type { SpanReading } from './read-spans';

// Span readings made in a worker thread (the OTLP and GraphQL read workers) on their way to the
// server's thread. Content crosses as JSON text, two parts per valid span in order (packed-bytes.ts,
// one moved buffer); the rest of a reading crosses by structured clone.
//
// On the server's thread each content value stays that text (UnparsedContent, content-source-text.ts)
// until a stage needs the value — a redactor, a custom pattern, a live-tail subscriber — which
// then parses it, the text remembered with it. The encode stage seals the text as it is, so
// content is written out once, in the worker, and goes on to the codec's worker as bytes. JSON
// text carries JSON data exactly, so redaction, live tail and storage see the value the server's
// own thread would have made.

/** Worker side: takes each valid span's object or array content out of `read` as its text (`textOf`). */
export function takeContentOut(read: SpanReading[], textOf: (value: object) => Uint8Array): PackedBytes {
  const texts: (Uint8Array | null)[] = [];
  const take = (value: unknown) => (typeof value === 'object' && value !== null ? textOf(value) : null);
  for (const reading of read) {
    if (!('span' in reading)) continue;
    const { span } = reading;
    const input = take(span.input);
    const output = take(span.output);
    texts.push(input, output);
    if (input) span.input = null;
    if (output) span.output = null;
  }
  return packBytes(texts);
}

/** Server side: puts each valid span's content back, as its text until a stage needs the value. */
export function putContentBack(read: SpanReading[], packed: PackedBytes): SpanReading[] {
  const texts = unpackBytes(packed);
  let part = 0;
  for (const reading of read) {
    if (!('span' in reading)) continue;
    const input = texts[part++];
    const output = texts[part++];
    if (input) reading.span.input = new UnparsedContent(input);
    if (output) reading.span.output = new UnparsedContent(output);
  }
  return read;
}
