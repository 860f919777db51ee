import { redactSpanContent, type SpanContent } from '../../../plugins/core/redaction/redact-span-content.js';
import { piiRedactorsFor } from '../../../plugins/redaction/pii-rules.js';

// Client-side redaction: applied when a span ends, in the app's process, so content the options
// exclude never reaches the transport, let alone the network.
//
// It is the server's own engine (plugins/core/redaction: the JSON walk, depth cap, bigint and
// number handling, the fields — statusMessage included) with the server's own PII rules
// (plugins/redaction/pii-rules.ts), both compiled into the package (see tsconfig.build.json), so
// a span comes out as ingest would redact it. The walk also freezes the content: it returns a
// fresh JSON-safe structure, so an app that mutates its messages array after the call does not
// change what was recorded.

export class ContentError extends Error {
  override readonly name = 'ContentError';
}

/**
 * A JSON-safe copy of the span's content fields (input, output, metadata, statusMessage, trace
 * metadata), with the chosen PII rules applied to every string (none: copy only). Throws
 * `ContentError` on a cycle or nesting deeper than 64 — the caller then leaves the content out
 * rather than send it unredacted.
 */
export function prepareSpanContent<S extends SpanContent>(span: S, rules: readonly string[], spanId: string): S {
  try {
    return redactSpanContent(span, piiRedactorsFor(rules), { projectId: '', spanId, piiRedaction: rules.length > 0, piiRules: rules }).span;
  } catch (error) {
    throw new ContentError(error instanceof Error ? error.message : String(error));
  }
}
