import { AsyncLocalStorage } from 'node:async_hooks';
import { newId } from './new-id.js';
import { messageOf } from '../errors.js';
import type { EndOptions, GenerationOptions, SpanKind, SpanOptions, SpanStatus, TraceAttributes, UpdateOptions, Usage } from './types.js';

// The active span of the current async context: `span()`/`generation()` (and observeOpenAI)
// find their parent here without the app passing handles around. One storage per process,
// shared by every Tokentrace instance, so a span started by one instance can parent another's.
// It lives beside SpanHandle because `runInSpan` (used by the handle's own methods) sets it.
const activeSpanStorage = new AsyncLocalStorage<SpanHandle>();

export function currentSpan(): SpanHandle | undefined {
  return activeSpanStorage.getStore();
}

// One span while it runs and, once ended, the record that waits in the queue: no second
// object is built on the app's path. Creating and ending one costs a UUID, two clock reads
// and a push (see bench/sdk.ts); content is copied and redacted at end, JSON-encoded later in
// the background.

/** Where ended spans go (the Tokentrace instance). */
export interface SpanSink {
  finish(span: SpanHandle): void;
  report(error: unknown): void;
}

export class SpanHandle {
  readonly id: string;
  readonly traceId: string;
  readonly parentId: string | undefined;
  /** @internal */ readonly sink: SpanSink;
  /** @internal */ kind: SpanKind;
  /** @internal */ name: string;
  /** @internal */ model: string | undefined = undefined;
  /** @internal */ provider: string | undefined = undefined;
  /** @internal */ input: unknown = undefined;
  /** @internal */ output: unknown = undefined;
  /** @internal */ metadata: Record<string, unknown> | undefined = undefined;
  /** @internal */ promptTokens: number | undefined = undefined;
  /** @internal */ completionTokens: number | undefined = undefined;
  /** @internal */ cacheReadTokens: number | undefined = undefined;
  /** @internal */ cacheWriteTokens: number | undefined = undefined;
  /** @internal */ reasoningTokens: number | undefined = undefined;
  /** @internal ms since the epoch */ startTime: number;
  /** @internal 0 while the span runs */ endTime = 0;
  /** @internal 0 when not streamed */ completionStartTime = 0;
  /** @internal */ status: SpanStatus = 'OK';
  /** @internal */ statusMessage: string | undefined = undefined;
  /** @internal set on a trace's root span */ trace: TraceAttributes | undefined = undefined;

  /** @internal Use `tt.trace()`, `tt.startSpan()` or a parent's `span()`. */
  constructor(sink: SpanSink, traceId: string | undefined, parentId: string | undefined, kind: SpanKind, name: string, startTime: number) {
    this.sink = sink;
    this.id = newId();
    this.traceId = traceId ?? newId();
    this.parentId = parentId;
    this.kind = kind;
    this.name = name;
    this.startTime = startTime;
  }

  /** True once `end()` was called. */
  get ended(): boolean {
    return this.endTime !== 0;
  }

  /** Runs `fn` inside a child span; ends it when `fn` settles (ERROR if it throws, rethrown unchanged). */
  span<T>(options: SpanOptions, fn: (span: SpanHandle) => T | Promise<T>): Promise<T> {
    return runInSpan(this.startSpan(options), fn);
  }

  /** Runs `fn` inside a child generation (an LLM call); call `gen.end({ output, usage })` in it. */
  generation<T>(options: GenerationOptions, fn: (generation: SpanHandle) => T | Promise<T>): Promise<T> {
    return runInSpan(this.startGeneration(options), fn);
  }

  /** A child span for code that is not callback-shaped; call `end()` on it. */
  startSpan(options: SpanOptions): SpanHandle {
    return childOf(this, options, options.kind ?? 'SPAN');
  }

  /** A child generation for code that is not callback-shaped; call `end({ output, usage })` on it. */
  startGeneration(options: GenerationOptions): SpanHandle {
    const span = childOf(this, options, options.kind ?? 'GENERATION');
    if (options.model !== undefined) span.model = options.model;
    if (options.provider !== undefined) span.provider = options.provider;
    return span;
  }

  /** Sets fields before the end (e.g. the model once the response names it). */
  update(options: UpdateOptions): this {
    if (this.endTime !== 0) return this;
    if (options.input !== undefined) this.input = options.input;
    if (options.output !== undefined) this.output = options.output;
    if (options.model !== undefined) this.model = options.model;
    if (options.provider !== undefined) this.provider = options.provider;
    if (options.usage !== undefined) this.setUsage(options.usage);
    if (options.metadata !== undefined) this.metadata = { ...this.metadata, ...options.metadata };
    if (options.completionStartTime !== undefined) this.completionStartTime = options.completionStartTime.getTime();
    return this;
  }

  /** Records the first streamed token now (time to first token), unless already recorded. */
  markFirstToken(at: number = Date.now()): void {
    if (this.completionStartTime === 0) this.completionStartTime = at;
  }

  /** Marks the span ERROR with the error's message. It still needs `end()` (callbacks do it). */
  recordError(error: unknown): this {
    if (this.endTime !== 0) return this;
    this.status = 'ERROR';
    this.statusMessage = messageOf(error);
    return this;
  }

  /** Ends the span and queues it for sending. A second call does nothing. Never throws. */
  end(options?: EndOptions): void {
    if (this.endTime !== 0) return;
    try {
      if (options !== undefined) this.applyEnd(options);
      this.endTime = options?.endTime !== undefined ? options.endTime.getTime() : Date.now();
      if (this.endTime < this.startTime) this.endTime = this.startTime;
      this.sink.finish(this);
    } catch (error) {
      if (this.endTime === 0) this.endTime = Date.now();
      this.sink.report(error);
    }
  }

  private applyEnd(options: EndOptions): void {
    if (options.output !== undefined) this.output = options.output;
    if (options.usage !== undefined) this.setUsage(options.usage);
    if (options.model !== undefined) this.model = options.model;
    if (options.metadata !== undefined) this.metadata = { ...this.metadata, ...options.metadata };
    if (options.status !== undefined) this.status = options.status;
    if (options.statusMessage !== undefined) this.statusMessage = options.statusMessage;
    if (options.completionStartTime !== undefined) this.completionStartTime = options.completionStartTime.getTime();
  }

  private setUsage(usage: Usage): void {
    if (isCount(usage.promptTokens)) this.promptTokens = usage.promptTokens;
    if (isCount(usage.completionTokens)) this.completionTokens = usage.completionTokens;
    if (isCount(usage.cacheReadTokens)) this.cacheReadTokens = usage.cacheReadTokens;
    if (isCount(usage.cacheWriteTokens)) this.cacheWriteTokens = usage.cacheWriteTokens;
    if (isCount(usage.reasoningTokens)) this.reasoningTokens = usage.reasoningTokens;
  }
}

function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

function childOf(parent: SpanHandle, options: SpanOptions, kind: SpanKind): SpanHandle {
  return newSpan(parent.sink, parent.traceId, parent.id, kind, options);
}

/** @internal */
export function newSpan(sink: SpanSink, traceId: string | undefined, parentId: string | undefined, kind: SpanKind, options: SpanOptions): SpanHandle {
  const start = options.startTime !== undefined ? options.startTime.getTime() : Date.now();
  const span = new SpanHandle(sink, traceId, parentId, kind, typeof options.name === 'string' && options.name !== '' ? options.name : kind.toLowerCase(), start);
  if (options.input !== undefined) span.input = options.input;
  if (options.metadata !== undefined) span.metadata = options.metadata;
  return span;
}

/**
 * Runs `fn` with `span` as the active span; ends it when `fn` settles. An exception marks the
 * span ERROR with its message and is rethrown as the same value.
 */
export async function runInSpan<T>(span: SpanHandle, fn: (span: SpanHandle) => T | Promise<T>): Promise<T> {
  try {
    const value = await activeSpanStorage.run(span, fn, span);
    span.end();
    return value;
  } catch (error) {
    span.recordError(error);
    span.end();
    throw error;
  }
}
