import { TokentraceError, messageOf } from './errors.js';
import { resolveOptions, type ResolvedOptions, type TokentraceOptions } from './options.js';
import { ContentError, prepareSpanContent } from './redaction/redact-content.js';
import { currentSpan, newSpan, runInSpan, type SpanHandle } from './tracing/span-handle.js';
import type { GenerationOptions, SpanOptions, TraceOptions } from './tracing/types.js';
import { Transport, type TransportStats } from './transport/transport.js';
import { SDK_VERSION } from './version.js';

// The client. Construction validates everything and may throw (a wrong endpoint must stop the
// start, not lose data silently later); after that nothing it does throws into the app.

let warnedDisabled = false;
let latestInstance: Tokentrace | undefined;

/** The most recently constructed client: what `observeOpenAI(client)` records to by default. */
export function defaultTokentrace(): Tokentrace | undefined {
  return latestInstance;
}

export interface StartSpanOptions extends SpanOptions {
  /** The parent; by default the active span of the current async context, else a new trace. */
  parent?: SpanHandle;
}

export interface StartGenerationOptions extends GenerationOptions {
  parent?: SpanHandle;
}

export class Tokentrace {
  /** False when no key/endpoint was configured (or `disabled`): spans are created but not sent. */
  readonly enabled: boolean;
  readonly #options: ResolvedOptions;
  readonly #transport: Transport | undefined;

  constructor(options: TokentraceOptions = {}) {
    const resolved = resolveOptions(options, process.env);
    this.#options = resolved;
    this.enabled = resolved.enabled;
    if (resolved.missing !== undefined && options.disabled !== true && !warnedDisabled) {
      warnedDisabled = true;
      console.warn(`[tokentrace] no ${resolved.missing} configured: tracing is disabled, spans are not sent.`);
    }
    this.#transport = resolved.enabled
      ? new Transport({
          endpoint: resolved.endpoint,
          apiKey: resolved.apiKey,
          timeoutMs: resolved.timeoutMs,
          userAgent: `tokentrace-sdk-js/${SDK_VERSION}`,
          flushAt: resolved.flushAt,
          flushIntervalMs: resolved.flushIntervalMs,
          maxQueueSize: resolved.maxQueueSize,
          maxRetries: resolved.maxRetries,
          retryDelayMs: resolved.retryDelayMs,
          maxRetryDelayMs: resolved.maxRetryDelayMs,
          report: (error) => this.report(error),
        })
      : undefined;
    latestInstance = this;
  }

  /** Runs `fn` in a new trace (its root span); ends it when `fn` settles. Errors are recorded and rethrown unchanged. */
  trace<T>(options: TraceOptions, fn: (trace: SpanHandle) => T | Promise<T>): Promise<T> {
    return runInSpan(this.startTrace(options), fn);
  }

  /** A new trace's root span, for code that is not callback-shaped; call `end()` on it. */
  startTrace(options: TraceOptions): SpanHandle {
    const root = newSpan(this, options.traceId, undefined, 'SPAN', { name: options.name, input: options.input });
    root.trace = {
      name: root.name,
      ...(options.userId !== undefined && { userId: options.userId }),
      ...(options.sessionId !== undefined && { sessionId: options.sessionId }),
      ...(options.tags !== undefined && { tags: [...options.tags] }),
      ...(options.metadata !== undefined && { metadata: options.metadata }),
    };
    return root;
  }

  /** Runs `fn` in a span under the active span (or in a new trace). */
  span<T>(options: SpanOptions, fn: (span: SpanHandle) => T | Promise<T>): Promise<T> {
    return runInSpan(this.startSpan(options), fn);
  }

  /** Runs `fn` in a generation (an LLM call) under the active span; call `gen.end({ output, usage })`. */
  generation<T>(options: GenerationOptions, fn: (generation: SpanHandle) => T | Promise<T>): Promise<T> {
    return runInSpan(this.startGeneration(options), fn);
  }

  /** A span for code that is not callback-shaped; call `end()` on it. */
  startSpan(options: StartSpanOptions): SpanHandle {
    const parent = options.parent ?? currentSpan();
    return newSpan(this, parent?.traceId, parent?.id, options.kind ?? 'SPAN', options);
  }

  /** A generation for code that is not callback-shaped; call `end({ output, usage })` on it. */
  startGeneration(options: StartGenerationOptions): SpanHandle {
    const parent = options.parent ?? currentSpan();
    const span = newSpan(this, parent?.traceId, parent?.id, options.kind ?? 'GENERATION', options);
    if (options.model !== undefined) span.model = options.model;
    if (options.provider !== undefined) span.provider = options.provider;
    return span;
  }

  /** The active span of the current async context, if any. */
  activeSpan(): SpanHandle | undefined {
    return currentSpan();
  }

  /** Resolves when every span ended before the call was sent or given up. Never rejects. */
  async flush(): Promise<void> {
    try {
      await this.#transport?.flush();
    } catch (error) {
      this.report(error);
    }
  }

  /** Flushes (retrying for up to `timeoutMs`), then stops; later spans are not sent. Never rejects. */
  async shutdown(options: { timeoutMs?: number } = {}): Promise<void> {
    try {
      await this.#transport?.shutdown(options.timeoutMs ?? 10_000);
    } catch (error) {
      this.report(error);
    }
  }

  /** Counters: queued, sent, failed, dropped. */
  stats(): TransportStats {
    return this.#transport?.stats() ?? { queued: 0, sent: 0, failed: 0, dropped: 0 };
  }

  /** @internal Called by SpanHandle.end(): redaction happens here, before the span is queued. */
  finish(span: SpanHandle): void {
    const transport = this.#transport;
    if (transport === undefined) return;
    const o = this.#options;
    if (o.redactInputs) span.input = undefined;
    if (o.redactOutputs) span.output = undefined;
    this.#content(span);
    transport.enqueue(span);
  }

  /** @internal Routes any failure to onError; a throwing onError is swallowed. */
  report(error: unknown): void {
    const e = error instanceof TokentraceError ? error : new TokentraceError('INTERNAL', messageOf(error), { cause: error });
    try {
      this.#options.onError(e);
    } catch {
      // The app's handler failed; there is nowhere left to report to, and we must not throw.
    }
  }

  /** The content fields through the shared redaction engine; on failure they are left out. */
  #content(span: SpanHandle): void {
    const fields = {
      ...(span.input !== undefined && { input: span.input }),
      ...(span.output !== undefined && { output: span.output }),
      ...(span.metadata !== undefined && { metadata: span.metadata }),
      ...(span.statusMessage !== undefined && { statusMessage: span.statusMessage }),
      ...(span.trace?.metadata !== undefined && { trace: { metadata: span.trace.metadata } }),
    };
    try {
      const out = prepareSpanContent(fields, this.#options.piiRules, span.id);
      if ('input' in out) span.input = out.input;
      if ('output' in out) span.output = out.output;
      if ('metadata' in out) span.metadata = out.metadata as Record<string, unknown> | undefined;
      if ('statusMessage' in out) span.statusMessage = out.statusMessage ?? undefined;
      if (out.trace && span.trace) span.trace = { ...span.trace, metadata: out.trace.metadata };
    } catch (error) {
      // Fail closed: content we cannot walk is not sent at all (it could not be redacted).
      const why = error instanceof ContentError ? error.message : messageOf(error);
      span.input = undefined;
      span.output = undefined;
      span.metadata = undefined;
      if (this.#options.piiRules.length > 0) span.statusMessage = undefined;
      if (span.trace?.metadata !== undefined) span.trace = { ...span.trace, metadata: undefined };
      this.report(new TokentraceError('CONTENT_DROPPED', `span ${span.id}: content left out (${why})`, { spans: [{ id: span.id, reason: why }] }));
    }
  }
}
