/** Internal type. DO NOT USE DIRECTLY. */
type Exact<T extends { [key: string]: unknown }> = { [K in keyof T]: T[K] };
/** Internal type. DO NOT USE DIRECTLY. */
export type Incremental<T> = T | { [P in keyof T]?: P extends ' $fragmentName' | '__typename' ? T[P] : never };
export type SpanInput = {
  /** The part of promptTokens read from the provider's prompt cache. */
  cacheReadTokens?: number | null | undefined;
  /** The part of promptTokens written to the provider's prompt cache. */
  cacheWriteTokens?: number | null | undefined;
  /** When a streamed generation produced its first token. */
  completionStartTime?: string | null | undefined;
  completionTokens?: number | null | undefined;
  endTime?: string | null | undefined;
  /** Made by the client; a retried span with the same id is not stored twice. */
  id: string;
  input?: unknown;
  /** A SpanKind value; anything else rejects this span (IngestResult.rejected). */
  kind: string;
  metadata?: unknown;
  model?: string | null | undefined;
  name: string;
  output?: unknown;
  parentId?: string | null | undefined;
  /** At most 100,000,000 (docs/ingest.md), like every token count here. */
  promptTokens?: number | null | undefined;
  provider?: string | null | undefined;
  /** The part of completionTokens spent on reasoning. */
  reasoningTokens?: number | null | undefined;
  startTime: string;
  /** A SpanStatus value (OK when absent); anything else rejects this span. */
  status?: string | null | undefined;
  statusMessage?: string | null | undefined;
  /** Name, userId, sessionId, tags, metadata of the trace. */
  trace?: TraceAttributesInput | null | undefined;
  traceId: string;
};

export type TraceAttributesInput = {
  metadata?: unknown;
  name?: string | null | undefined;
  sessionId?: string | null | undefined;
  tags?: Array<string> | null | undefined;
  userId?: string | null | undefined;
};

export type IngestMutationVariables = Exact<{
  spans: Array<SpanInput> | SpanInput;
}>;


export type IngestMutation = { ingest: { accepted: number, rejected: Array<{ index: number, id: string | null, reason: string }> } };

/** A GraphQL document as the string sent over the wire, tagged with its result and variables types. */
export type DocumentString<TResult, TVariables> = string & { readonly __result?: TResult; readonly __variables?: TVariables };

export const IngestDocument = "mutation Ingest($spans: [SpanInput!]!) {\n  ingest(spans: $spans) {\n    accepted\n    rejected {\n      index\n      id\n      reason\n    }\n  }\n}" as DocumentString<IngestMutation, IngestMutationVariables>;
