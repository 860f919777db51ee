import type { EndOptions } from '../tracing/types.js';

/** What one instrumented method records: from its parameters, its response, its stream. */
export interface CallAdapter {
  /** The span's name. */
  name: string;
  start(params: unknown): { model: string | undefined; input: unknown; metadata: Record<string, unknown> };
  fromResponse(response: unknown): EndOptions;
  stream(): StreamAccumulator;
}

/** Sees every chunk the app sees, in order; builds the span's end. */
export interface StreamAccumulator {
  add(chunk: unknown): void;
  /** True once a chunk carried generated content (for time to first token). */
  readonly firstToken: boolean;
  result(): EndOptions;
}
