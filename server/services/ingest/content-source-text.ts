import type { SealedInWorker } from './sealed-in-worker';

// Span content as the request's body spelled it, so the encode stage can seal those bytes instead
// of JSON.stringify-ing a copy of the value.
//
// Why: a batch's content crossed to the codec's worker thread by structured clone and was then
// written out again by JSON.stringify: about 1 ms of the worker's CPU per batch of 100 spans, and
// most of its garbage, for text that was in the request all along (bench:ingest).
//
// Correct only for the very object the body parser made from those bytes, untouched since. That
// holds because the bytes are found by identity: the parser marks the object it built
// (parse-json-body.ts; contentValue below marks what it parses from a read worker's text), and
// every stage that changes content makes a new object. The redaction
// walk copies every object on the path to a change, and hands back as itself only what no rule
// changed (keepUnchanged, plugins/core/redaction/walk-json.ts); custom patterns return content from
// their worker, and a dropped field becomes null. So content a redactor changed is sealed from its
// redacted value, and content the rules walked without a hit keeps its text. Nothing between the
// parser and the encode stage writes into a content object (content is "stored as sent",
// validate-span.ts).
//
// Only objects and arrays have an identity; a string is sealed from its value as before. The text
// may differ from JSON.stringify's (spaces, a number spelled 1.0, an escaped slash): it is JSON for
// the same value, which is all a reader asks of it (server/storage/content.ts decodes with
// JSON.parse). The parser keeps no text that would take much more room than JSON.stringify's.

// Kept on the object, under a symbol and not enumerable: what copies an object (a spread,
// Object.assign, structured clone, the redaction walk, JSON) leaves it behind, so a copy never
// claims the original's text. A WeakMap would do the same, at ~1 µs per entry where this costs
// ~0.2: 200 entries for every batch of 100 spans, each an ephemeron the garbage collector must
// then trace.
const SOURCE_TEXT = Symbol('tokentrace.sourceText');

/** `bytes` is the JSON text that `value` was parsed from, and is valid UTF-8. */
export function rememberSourceText(value: unknown, bytes: Uint8Array): void {
  if (typeof value === 'object' && value !== null) Object.defineProperty(value, SOURCE_TEXT, { value: bytes, configurable: true });
}

/** The JSON text `value` was parsed from, when the body parser remembered it, or that an unparsed value is. */
export function sourceTextOf(value: unknown): Uint8Array | undefined {
  if (value instanceof UnparsedContent) return value.text;
  if (typeof value !== 'object' || value === null || !Object.hasOwn(value, SOURCE_TEXT)) return undefined;
  return (value as { [SOURCE_TEXT]?: Uint8Array })[SOURCE_TEXT];
}

/**
 * Content known so far only by its JSON text (an object or array): what a read worker sends back
 * (readings-across-threads.ts). It stands in for the value until a stage needs the value itself —
 * a redactor or custom pattern walking it (redact-span.ts), a live-tail subscriber reading it
 * (publish-spans.ts) — and most batches reach the encode stage, which seals the text, without
 * anyone needing it: parsing it on the main thread was 2.5% of that thread's time.
 * Only the server makes one; a request cannot spell a class instance.
 */
export class UnparsedContent {
  constructor(
    readonly text: Uint8Array,
    /** The text as the read worker already sealed it for storage, when the server asked (early-sealing.ts). */
    readonly sealed?: SealedInWorker,
  ) {}
}

/** The value itself: an unparsed content's value, parsed with its text remembered; any other as it is. */
export function contentValue(value: unknown): unknown {
  if (!(value instanceof UnparsedContent)) return value;
  const parsed: unknown = JSON.parse(Buffer.from(value.text.buffer, value.text.byteOffset, value.text.byteLength).toString('utf8'));
  rememberSourceText(parsed, value.text);
  return parsed;
}
