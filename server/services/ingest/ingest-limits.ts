// What one span may carry. Documented in docs/ingest.md ("Limits and validation"); a span over
// a limit is rejected by its index with a reason that names the limit, and the rest of the batch
// is stored.

/**
 * Largest token count a span may report in any one field. Far above any context window, and low
 * enough that prompt + completion fits the 32-bit `Span.totalTokens` and Postgres `integer`.
 */
export const MAX_TOKENS_PER_FIELD = 100_000_000;

/** JSON values (input, output, metadata, trace metadata) may nest this deep, no deeper. */
export const MAX_JSON_DEPTH = 64;

/** Span metadata and trace metadata: about this many bytes of JSON each. */
export const MAX_METADATA_BYTES = 64 * 1024;

export const MAX_NAME_CHARS = 1000;
export const MAX_MODEL_CHARS = 200;
export const MAX_STATUS_MESSAGE_CHARS = 10_000;
export const MAX_TRACE_ATTRIBUTE_CHARS = 200;
export const MAX_TAGS = 50;
export const MAX_TAG_CHARS = 200;
