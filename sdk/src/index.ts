// @tokentrace/sdk — public surface. Everything else is internal.

export { Tokentrace, type StartSpanOptions, type StartGenerationOptions } from './tokentrace.js';
export type { TokentraceOptions, PiiRule } from './options.js';
export { TokentraceError, type TokentraceErrorCode, type RejectedSpan } from './errors.js';
export type { SpanHandle } from './tracing/span-handle.js';
export type { TraceOptions, SpanOptions, GenerationOptions, EndOptions, UpdateOptions, Usage, SpanKind, SpanStatus } from './tracing/types.js';
export type { TransportStats } from './transport/transport.js';
export { observeOpenAI, type ObserveOpenAIOptions } from './openai/observe-openai.js';
export { SDK_VERSION } from './version.js';
