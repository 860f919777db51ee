import type { AttributeBag } from './attribute-bag';

// Model, provider and token counts, first attribute present wins (docs/otel.md). Counts are passed
// on as sent; the validate stage rejects a span whose count is not a whole number in range.

const MODEL_KEYS = ['gen_ai.response.model', 'llm.response.model', 'llm.model_name', 'ai.response.model', 'embedding.model_name', 'reranker.model_name'];
const REQUEST_MODEL_KEYS = ['gen_ai.request.model', 'llm.request.model', 'ai.model.id'];
const PROVIDER_KEYS = ['gen_ai.provider.name', 'gen_ai.system', 'llm.provider', 'llm.system'];

export const TOKEN_KEYS = {
  promptTokens: ['gen_ai.usage.input_tokens', 'gen_ai.usage.prompt_tokens', 'llm.token_count.prompt', 'ai.usage.inputTokens', 'ai.usage.promptTokens'],
  completionTokens: ['gen_ai.usage.output_tokens', 'gen_ai.usage.completion_tokens', 'llm.token_count.completion', 'ai.usage.outputTokens', 'ai.usage.completionTokens'],
  cacheReadTokens: ['gen_ai.usage.cache_read.input_tokens', 'llm.token_count.prompt_details.cache_read', 'ai.usage.inputTokenDetails.cacheReadTokens', 'ai.usage.cachedInputTokens'],
  cacheWriteTokens: ['gen_ai.usage.cache_creation.input_tokens', 'llm.token_count.prompt_details.cache_write', 'ai.usage.inputTokenDetails.cacheWriteTokens'],
  reasoningTokens: ['gen_ai.usage.reasoning.output_tokens', 'llm.token_count.completion_details.reasoning', 'ai.usage.outputTokenDetails.reasoningTokens', 'ai.usage.reasoningTokens'],
} as const;

// Totals we derive ourselves (prompt + completion); reading them would only let them disagree.
const DERIVED_TOTAL_KEYS = ['llm.token_count.total', 'llm.usage.total_tokens', 'gen_ai.usage.total_tokens', 'ai.usage.totalTokens', 'ai.usage.tokens'];

export interface MappedUsage {
  model: string | undefined;
  provider: string | undefined;
  promptTokens: unknown;
  completionTokens: unknown;
  cacheReadTokens: unknown;
  cacheWriteTokens: unknown;
  reasoningTokens: unknown;
  hasUsage: boolean;
}

/** A count as a number: OTLP int values are numbers already; some SDKs send digit strings. */
function count(value: unknown): unknown {
  return typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;
}

export function mapUsage(bag: AttributeBag): MappedUsage {
  // The model that answered when the response names it; the requested one otherwise. A different
  // requested model stays in metadata under its own key.
  let model = bag.pickString(MODEL_KEYS);
  if (model === undefined) model = bag.pickString(REQUEST_MODEL_KEYS);
  else for (const key of REQUEST_MODEL_KEYS) if (bag.peek(key) === model) bag.markUsed(key);
  // The Vercel AI SDK names its provider client ("openai.chat", also as gen_ai.system in its legacy
  // spans): the provider is the first part. Other dotted names ("aws.bedrock") are kept whole.
  const vercelClient = bag.pickString(['ai.model.provider']);
  const named = bag.pickString(PROVIDER_KEYS);
  const provider = named !== undefined && named !== vercelClient ? named : vercelClient?.split('.')[0];
  bag.pick(DERIVED_TOTAL_KEYS);
  const promptTokens = count(bag.pick(TOKEN_KEYS.promptTokens));
  const completionTokens = count(bag.pick(TOKEN_KEYS.completionTokens));
  return {
    model,
    provider,
    promptTokens,
    completionTokens,
    cacheReadTokens: count(bag.pick(TOKEN_KEYS.cacheReadTokens)),
    cacheWriteTokens: count(bag.pick(TOKEN_KEYS.cacheWriteTokens)),
    reasoningTokens: count(bag.pick(TOKEN_KEYS.reasoningTokens)),
    hasUsage: model !== undefined && (promptTokens !== undefined || completionTokens !== undefined),
  };
}
