// The server's SpanKind and SpanStatus enums. SpanInput types them as String (a bad value rejects
// only its span, server-side), so the generated types no longer carry them: they are kept here.
export type SpanKind = 'SPAN' | 'GENERATION' | 'EVENT' | 'TOOL' | 'RETRIEVAL' | 'AGENT' | 'EMBEDDING';
export type SpanStatus = 'OK' | 'ERROR';

/** Token counts of a generation; the server computes cost from them and the model. */
export interface Usage {
  promptTokens?: number;
  completionTokens?: number;
  /** The part of promptTokens read from the provider's prompt cache (billed at the cached rate). */
  cacheReadTokens?: number;
  /** The part of promptTokens written to the provider's prompt cache (Anthropic's cache creation). */
  cacheWriteTokens?: number;
  /** The part of completionTokens spent on reasoning. */
  reasoningTokens?: number;
}

export interface TraceOptions {
  /** Name of the trace (and of its root span). */
  name: string;
  userId?: string;
  sessionId?: string;
  tags?: string[];
  metadata?: Record<string, unknown>;
  /** Input of the root span, e.g. the user's request. */
  input?: unknown;
  /** Your own trace id (e.g. a request id); a random one otherwise. */
  traceId?: string;
}

export interface SpanOptions {
  name: string;
  /** @default 'SPAN' ('GENERATION' for `generation()`) */
  kind?: SpanKind;
  input?: unknown;
  metadata?: Record<string, unknown>;
  /** When the work started, if not now. */
  startTime?: Date;
}

export interface GenerationOptions extends SpanOptions {
  /** Model name as priced by the server, e.g. `gpt-4o-mini`. */
  model?: string;
  /** e.g. `openai`, `anthropic`. */
  provider?: string;
}

export interface EndOptions {
  output?: unknown;
  usage?: Usage;
  metadata?: Record<string, unknown>;
  model?: string;
  status?: SpanStatus;
  statusMessage?: string;
  /** When a streamed generation produced its first token (time to first token). */
  completionStartTime?: Date;
  /** When the work ended, if not now. */
  endTime?: Date;
}

export interface UpdateOptions {
  input?: unknown;
  output?: unknown;
  usage?: Usage;
  metadata?: Record<string, unknown>;
  model?: string;
  provider?: string;
  completionStartTime?: Date;
}

/** The trace's own attributes, sent with its root span. */
export interface TraceAttributes {
  name: string;
  userId?: string;
  sessionId?: string;
  tags?: string[];
  metadata?: unknown;
}
