import { defaultTokentrace, type Tokentrace } from '../tokentrace.js';
import type { CallAdapter } from './call-adapter.js';
import { chatCompletionsAdapter } from './chat-completions.js';
import { observeResult } from './observe-call.js';
import { responsesAdapter } from './responses.js';

// observeOpenAI(client): every chat.completions.create and responses.create call becomes a
// GENERATION span under the active span (or a trace of its own). The client is instrumented in
// place and returned, so its type, its other methods and `instanceof` checks are unchanged.

export interface ObserveOpenAIOptions {
  /** The client to record to. @default the most recently constructed Tokentrace */
  tokentrace?: Tokentrace;
  /** Span name prefix, e.g. your feature's name. @default 'openai.chat.completions' / 'openai.responses' */
  name?: string;
  /** Added to every recorded span's metadata. */
  metadata?: Record<string, unknown>;
}

const OBSERVED = Symbol.for('tokentrace.observed');

type Obj = Record<string | symbol, unknown>;
const objectAt = (root: unknown, ...path: string[]): Obj | undefined => {
  let at: unknown = root;
  for (const key of path) at = at !== null && typeof at === 'object' ? (at as Obj)[key] : undefined;
  return at !== null && typeof at === 'object' ? (at as Obj) : undefined;
};

function instrument(resource: Obj | undefined, adapter: CallAdapter, options: ObserveOpenAIOptions): void {
  const original = resource?.create;
  if (!resource || typeof original !== 'function' || resource[OBSERVED]) return;
  const create = function (this: unknown, ...args: unknown[]): unknown {
    const tt = options.tokentrace ?? defaultTokentrace();
    if (!tt) return original.apply(this, args);
    let span;
    const params = args[0] as Obj | undefined;
    try {
      const start = adapter.start(params);
      span = tt.startGeneration({
        name: options.name ?? adapter.name,
        provider: 'openai',
        ...(start.model !== undefined && { model: start.model }),
        input: start.input,
        metadata: { ...start.metadata, ...options.metadata },
      });
    } catch (error) {
      tt.report(error);
      return original.apply(this, args);
    }
    let result: unknown;
    try {
      result = original.apply(this, args);
    } catch (error) {
      span.recordError(error);
      span.end();
      throw error;
    }
    return observeResult(result, span, adapter, params?.stream === true);
  };
  Object.defineProperty(resource, 'create', { value: create, configurable: true, writable: true, enumerable: false });
  Object.defineProperty(resource, OBSERVED, { value: true });
}

/** Instruments an `openai` client in place and returns it. Calling it twice is harmless. */
export function observeOpenAI<T extends object>(client: T, options: ObserveOpenAIOptions = {}): T {
  instrument(objectAt(client, 'chat', 'completions'), chatCompletionsAdapter, options);
  instrument(objectAt(client, 'responses'), responsesAdapter, options);
  return client;
}
