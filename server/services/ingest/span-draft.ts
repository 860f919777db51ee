// The span model both front doors map into (GraphQL `ingest` and OTLP `/v1/traces`), before it
// is validated. Values are as the sender gave them — `unknown` — because a third party can get
// any of them wrong, and the validate stage must turn each mistake into a rejection of that one
// span (by index) rather than an error for the whole request.

export interface TraceDraft {
  name?: unknown;
  userId?: unknown;
  sessionId?: unknown;
  tags?: unknown;
  metadata?: unknown;
}

export interface SpanDraft {
  id: unknown;
  traceId: unknown;
  parentId?: unknown;
  kind: unknown;
  name: unknown;
  model?: unknown;
  provider?: unknown;
  input?: unknown;
  output?: unknown;
  promptTokens?: unknown;
  completionTokens?: unknown;
  cacheReadTokens?: unknown;
  cacheWriteTokens?: unknown;
  reasoningTokens?: unknown;
  startTime: unknown;
  endTime?: unknown;
  completionStartTime?: unknown;
  status?: unknown;
  statusMessage?: unknown;
  metadata?: unknown;
  trace?: TraceDraft | null;
  /**
   * A problem only the door can name (an OTLP span id that is not 8 bytes, an attribute nested
   * too deep to read): the span is rejected with this reason.
   */
  problem?: string;
}
