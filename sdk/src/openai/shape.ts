import type { Usage } from '../tracing/types.js';

// Small readers shared by the OpenAI adapters.

type Obj = Record<string, unknown>;

const obj = (v: unknown): Obj => (v !== null && typeof v === 'object' ? (v as Obj) : {});
const count = (v: unknown): number | undefined => (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0 ? v : undefined);

/**
 * Chat Completions (`prompt_tokens`/`completion_tokens`, `prompt_tokens_details.cached_tokens`,
 * `completion_tokens_details.reasoning_tokens`) or Responses (`input_tokens`/`output_tokens` and
 * their `input_tokens_details`/`output_tokens_details`) usage. Absent counts stay absent: the
 * server reads a missing count as unknown, never as 0.
 */
export function usageOf(usage: unknown): Usage {
  const u = obj(usage);
  const promptTokens = count(u.prompt_tokens) ?? count(u.input_tokens);
  const completionTokens = count(u.completion_tokens) ?? count(u.output_tokens);
  const cacheReadTokens = count(obj(u.prompt_tokens_details).cached_tokens) ?? count(obj(u.input_tokens_details).cached_tokens);
  const reasoningTokens = count(obj(u.completion_tokens_details).reasoning_tokens) ?? count(obj(u.output_tokens_details).reasoning_tokens);
  return {
    ...(promptTokens !== undefined && { promptTokens }),
    ...(completionTokens !== undefined && { completionTokens }),
    ...(cacheReadTokens !== undefined && { cacheReadTokens }),
    ...(reasoningTokens !== undefined && { reasoningTokens }),
  };
}

/** Request settings worth keeping beside the span (not the content: that is `input`). */
const PARAMS = ['temperature', 'top_p', 'max_tokens', 'max_completion_tokens', 'max_output_tokens', 'n', 'stream', 'seed', 'reasoning_effort', 'tool_choice', 'response_format', 'previous_response_id'];

export function pickParams(params: Obj): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of PARAMS) if (params[key] !== undefined) out[key] = params[key];
  if (Array.isArray(params.tools)) out.tools = params.tools.length;
  return out;
}
