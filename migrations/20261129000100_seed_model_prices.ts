import type { Kysely } from 'kysely';

// List prices so costs work out of the box. Frozen in time: later price changes are new rows
// (a newer effective_from) added by admins or a later migration, never edits to this one.
//
// Conventions the data relies on:
// - Prices are USD per 1M tokens; effective_from is a UTC day (launch or last known price change).
// - 'pattern' rows hold a regular expression valid in both JavaScript and Postgres (ARE), matched
//   case-insensitively against the whole span model name. Exact rows win over patterns, so a dated
//   snapshot priced differently from its family gets its own exact row.
// - Where a provider prices by prompt length (Gemini), the short-prompt tier is used, because that
//   is what nearly all spans pay and a row holds one price.
// - Where a cut's date is not known here, the current price starts at launch: older spans are then
//   priced low rather than not at all.

export interface SeedPrice {
  provider: string;
  model: string;
  match_type: 'exact' | 'pattern';
  input_usd_per_million: number;
  output_usd_per_million: number;
  /** ISO date, read as midnight UTC. */
  effective_from: string;
}

export const seedPrices: readonly SeedPrice[] = [
  // OpenAI
  { provider: 'openai', model: 'gpt-4o', match_type: 'exact', input_usd_per_million: 5, output_usd_per_million: 15, effective_from: '2024-05-13' },
  { provider: 'openai', model: 'gpt-4o', match_type: 'exact', input_usd_per_million: 2.5, output_usd_per_million: 10, effective_from: '2024-10-02' },
  // The first snapshot kept its launch price after the cut.
  { provider: 'openai', model: 'gpt-4o-2024-05-13', match_type: 'exact', input_usd_per_million: 5, output_usd_per_million: 15, effective_from: '2024-05-13' },
  { provider: 'openai', model: String.raw`^gpt-4o-\d{4}-\d{2}-\d{2}$`, match_type: 'pattern', input_usd_per_million: 2.5, output_usd_per_million: 10, effective_from: '2024-08-06' },
  { provider: 'openai', model: 'gpt-4o-mini', match_type: 'exact', input_usd_per_million: 0.15, output_usd_per_million: 0.6, effective_from: '2024-07-18' },
  { provider: 'openai', model: String.raw`^gpt-4o-mini-\d{4}-\d{2}-\d{2}$`, match_type: 'pattern', input_usd_per_million: 0.15, output_usd_per_million: 0.6, effective_from: '2024-07-18' },
  { provider: 'openai', model: 'gpt-4.1', match_type: 'exact', input_usd_per_million: 2, output_usd_per_million: 8, effective_from: '2025-04-14' },
  { provider: 'openai', model: String.raw`^gpt-4\.1-\d{4}-\d{2}-\d{2}$`, match_type: 'pattern', input_usd_per_million: 2, output_usd_per_million: 8, effective_from: '2025-04-14' },
  { provider: 'openai', model: 'gpt-4.1-mini', match_type: 'exact', input_usd_per_million: 0.4, output_usd_per_million: 1.6, effective_from: '2025-04-14' },
  { provider: 'openai', model: String.raw`^gpt-4\.1-mini-\d{4}-\d{2}-\d{2}$`, match_type: 'pattern', input_usd_per_million: 0.4, output_usd_per_million: 1.6, effective_from: '2025-04-14' },
  { provider: 'openai', model: 'gpt-4.1-nano', match_type: 'exact', input_usd_per_million: 0.1, output_usd_per_million: 0.4, effective_from: '2025-04-14' },
  { provider: 'openai', model: String.raw`^gpt-4\.1-nano-\d{4}-\d{2}-\d{2}$`, match_type: 'pattern', input_usd_per_million: 0.1, output_usd_per_million: 0.4, effective_from: '2025-04-14' },
  { provider: 'openai', model: 'o1', match_type: 'exact', input_usd_per_million: 15, output_usd_per_million: 60, effective_from: '2024-12-17' },
  { provider: 'openai', model: String.raw`^o1-\d{4}-\d{2}-\d{2}$`, match_type: 'pattern', input_usd_per_million: 15, output_usd_per_million: 60, effective_from: '2024-12-17' },
  { provider: 'openai', model: 'o1-preview', match_type: 'exact', input_usd_per_million: 15, output_usd_per_million: 60, effective_from: '2024-09-12' },
  { provider: 'openai', model: String.raw`^o1-preview-\d{4}-\d{2}-\d{2}$`, match_type: 'pattern', input_usd_per_million: 15, output_usd_per_million: 60, effective_from: '2024-09-12' },
  // Launched at 3/12; cut to the o3-mini price later (date not recorded here).
  { provider: 'openai', model: 'o1-mini', match_type: 'exact', input_usd_per_million: 1.1, output_usd_per_million: 4.4, effective_from: '2024-09-12' },
  { provider: 'openai', model: String.raw`^o1-mini-\d{4}-\d{2}-\d{2}$`, match_type: 'pattern', input_usd_per_million: 1.1, output_usd_per_million: 4.4, effective_from: '2024-09-12' },
  { provider: 'openai', model: 'o3', match_type: 'exact', input_usd_per_million: 10, output_usd_per_million: 40, effective_from: '2025-04-16' },
  { provider: 'openai', model: 'o3', match_type: 'exact', input_usd_per_million: 2, output_usd_per_million: 8, effective_from: '2025-06-10' },
  { provider: 'openai', model: String.raw`^o3-\d{4}-\d{2}-\d{2}$`, match_type: 'pattern', input_usd_per_million: 10, output_usd_per_million: 40, effective_from: '2025-04-16' },
  { provider: 'openai', model: String.raw`^o3-\d{4}-\d{2}-\d{2}$`, match_type: 'pattern', input_usd_per_million: 2, output_usd_per_million: 8, effective_from: '2025-06-10' },
  { provider: 'openai', model: 'o3-mini', match_type: 'exact', input_usd_per_million: 1.1, output_usd_per_million: 4.4, effective_from: '2025-01-31' },
  { provider: 'openai', model: String.raw`^o3-mini-\d{4}-\d{2}-\d{2}$`, match_type: 'pattern', input_usd_per_million: 1.1, output_usd_per_million: 4.4, effective_from: '2025-01-31' },
  { provider: 'openai', model: 'o4-mini', match_type: 'exact', input_usd_per_million: 1.1, output_usd_per_million: 4.4, effective_from: '2025-04-16' },
  { provider: 'openai', model: String.raw`^o4-mini-\d{4}-\d{2}-\d{2}$`, match_type: 'pattern', input_usd_per_million: 1.1, output_usd_per_million: 4.4, effective_from: '2025-04-16' },
  { provider: 'openai', model: 'gpt-4-turbo', match_type: 'exact', input_usd_per_million: 10, output_usd_per_million: 30, effective_from: '2024-04-09' },
  { provider: 'openai', model: String.raw`^gpt-4-turbo-\d{4}-\d{2}-\d{2}$`, match_type: 'pattern', input_usd_per_million: 10, output_usd_per_million: 30, effective_from: '2024-04-09' },
  { provider: 'openai', model: String.raw`^gpt-4-(?:turbo-preview|1106-preview|0125-preview)$`, match_type: 'pattern', input_usd_per_million: 10, output_usd_per_million: 30, effective_from: '2023-11-06' },
  { provider: 'openai', model: 'gpt-3.5-turbo', match_type: 'exact', input_usd_per_million: 0.5, output_usd_per_million: 1.5, effective_from: '2024-01-25' },
  { provider: 'openai', model: 'gpt-3.5-turbo-0125', match_type: 'exact', input_usd_per_million: 0.5, output_usd_per_million: 1.5, effective_from: '2024-01-25' },
  { provider: 'openai', model: 'gpt-5', match_type: 'exact', input_usd_per_million: 1.25, output_usd_per_million: 10, effective_from: '2025-08-07' },
  { provider: 'openai', model: String.raw`^gpt-5-\d{4}-\d{2}-\d{2}$`, match_type: 'pattern', input_usd_per_million: 1.25, output_usd_per_million: 10, effective_from: '2025-08-07' },
  { provider: 'openai', model: 'gpt-5-chat-latest', match_type: 'exact', input_usd_per_million: 1.25, output_usd_per_million: 10, effective_from: '2025-08-07' },
  { provider: 'openai', model: 'gpt-5-mini', match_type: 'exact', input_usd_per_million: 0.25, output_usd_per_million: 2, effective_from: '2025-08-07' },
  { provider: 'openai', model: String.raw`^gpt-5-mini-\d{4}-\d{2}-\d{2}$`, match_type: 'pattern', input_usd_per_million: 0.25, output_usd_per_million: 2, effective_from: '2025-08-07' },
  { provider: 'openai', model: 'gpt-5-nano', match_type: 'exact', input_usd_per_million: 0.05, output_usd_per_million: 0.4, effective_from: '2025-08-07' },
  { provider: 'openai', model: String.raw`^gpt-5-nano-\d{4}-\d{2}-\d{2}$`, match_type: 'pattern', input_usd_per_million: 0.05, output_usd_per_million: 0.4, effective_from: '2025-08-07' },
  // Embeddings have no output tokens.
  { provider: 'openai', model: 'text-embedding-3-small', match_type: 'exact', input_usd_per_million: 0.02, output_usd_per_million: 0, effective_from: '2024-01-25' },
  { provider: 'openai', model: 'text-embedding-3-large', match_type: 'exact', input_usd_per_million: 0.13, output_usd_per_million: 0, effective_from: '2024-01-25' },

  // Anthropic. Patterns also take Bedrock ("us.anthropic.…-v1:0") and Vertex ("…@20240620") ids;
  // spelled out per row rather than built by a helper so each row reads as what is stored.
  { provider: 'anthropic', model: 'claude-3-5-sonnet', match_type: 'exact', input_usd_per_million: 3, output_usd_per_million: 15, effective_from: '2024-06-20' },
  { provider: 'anthropic', model: 'claude-3-5-sonnet-latest', match_type: 'exact', input_usd_per_million: 3, output_usd_per_million: 15, effective_from: '2024-06-20' },
  { provider: 'anthropic', model: String.raw`^(?:(?:[a-z]+\.)?anthropic\.)?claude-3-5-sonnet(?:-v2)?[-@]\d{8}(?:-v\d+:\d+)?$`, match_type: 'pattern', input_usd_per_million: 3, output_usd_per_million: 15, effective_from: '2024-06-20' },
  // Launched at 1/5; cut later (date not recorded here).
  { provider: 'anthropic', model: 'claude-3-5-haiku', match_type: 'exact', input_usd_per_million: 0.8, output_usd_per_million: 4, effective_from: '2024-11-04' },
  { provider: 'anthropic', model: 'claude-3-5-haiku-latest', match_type: 'exact', input_usd_per_million: 0.8, output_usd_per_million: 4, effective_from: '2024-11-04' },
  { provider: 'anthropic', model: String.raw`^(?:(?:[a-z]+\.)?anthropic\.)?claude-3-5-haiku[-@]\d{8}(?:-v\d+:\d+)?$`, match_type: 'pattern', input_usd_per_million: 0.8, output_usd_per_million: 4, effective_from: '2024-11-04' },
  { provider: 'anthropic', model: 'claude-3-7-sonnet', match_type: 'exact', input_usd_per_million: 3, output_usd_per_million: 15, effective_from: '2025-02-24' },
  { provider: 'anthropic', model: 'claude-3-7-sonnet-latest', match_type: 'exact', input_usd_per_million: 3, output_usd_per_million: 15, effective_from: '2025-02-24' },
  { provider: 'anthropic', model: String.raw`^(?:(?:[a-z]+\.)?anthropic\.)?claude-3-7-sonnet[-@]\d{8}(?:-v\d+:\d+)?$`, match_type: 'pattern', input_usd_per_million: 3, output_usd_per_million: 15, effective_from: '2025-02-24' },
  { provider: 'anthropic', model: 'claude-sonnet-4', match_type: 'exact', input_usd_per_million: 3, output_usd_per_million: 15, effective_from: '2025-05-22' },
  { provider: 'anthropic', model: 'claude-sonnet-4-0', match_type: 'exact', input_usd_per_million: 3, output_usd_per_million: 15, effective_from: '2025-05-22' },
  { provider: 'anthropic', model: String.raw`^(?:(?:[a-z]+\.)?anthropic\.)?claude-sonnet-4[-@]\d{8}(?:-v\d+:\d+)?$`, match_type: 'pattern', input_usd_per_million: 3, output_usd_per_million: 15, effective_from: '2025-05-22' },
  { provider: 'anthropic', model: 'claude-opus-4', match_type: 'exact', input_usd_per_million: 15, output_usd_per_million: 75, effective_from: '2025-05-22' },
  { provider: 'anthropic', model: 'claude-opus-4-0', match_type: 'exact', input_usd_per_million: 15, output_usd_per_million: 75, effective_from: '2025-05-22' },
  { provider: 'anthropic', model: String.raw`^(?:(?:[a-z]+\.)?anthropic\.)?claude-opus-4[-@]\d{8}(?:-v\d+:\d+)?$`, match_type: 'pattern', input_usd_per_million: 15, output_usd_per_million: 75, effective_from: '2025-05-22' },
  { provider: 'anthropic', model: 'claude-opus-4-1', match_type: 'exact', input_usd_per_million: 15, output_usd_per_million: 75, effective_from: '2025-08-05' },
  { provider: 'anthropic', model: String.raw`^(?:(?:[a-z]+\.)?anthropic\.)?claude-opus-4-1[-@]\d{8}(?:-v\d+:\d+)?$`, match_type: 'pattern', input_usd_per_million: 15, output_usd_per_million: 75, effective_from: '2025-08-05' },
  { provider: 'anthropic', model: 'claude-sonnet-4-5', match_type: 'exact', input_usd_per_million: 3, output_usd_per_million: 15, effective_from: '2025-09-29' },
  { provider: 'anthropic', model: String.raw`^(?:(?:[a-z]+\.)?anthropic\.)?claude-sonnet-4-5[-@]\d{8}(?:-v\d+:\d+)?$`, match_type: 'pattern', input_usd_per_million: 3, output_usd_per_million: 15, effective_from: '2025-09-29' },
  { provider: 'anthropic', model: 'claude-haiku-4-5', match_type: 'exact', input_usd_per_million: 1, output_usd_per_million: 5, effective_from: '2025-10-15' },
  { provider: 'anthropic', model: String.raw`^(?:(?:[a-z]+\.)?anthropic\.)?claude-haiku-4-5[-@]\d{8}(?:-v\d+:\d+)?$`, match_type: 'pattern', input_usd_per_million: 1, output_usd_per_million: 5, effective_from: '2025-10-15' },
  { provider: 'anthropic', model: 'claude-3-opus', match_type: 'exact', input_usd_per_million: 15, output_usd_per_million: 75, effective_from: '2024-03-04' },
  { provider: 'anthropic', model: 'claude-3-opus-latest', match_type: 'exact', input_usd_per_million: 15, output_usd_per_million: 75, effective_from: '2024-03-04' },
  { provider: 'anthropic', model: String.raw`^(?:(?:[a-z]+\.)?anthropic\.)?claude-3-opus[-@]\d{8}(?:-v\d+:\d+)?$`, match_type: 'pattern', input_usd_per_million: 15, output_usd_per_million: 75, effective_from: '2024-03-04' },
  { provider: 'anthropic', model: 'claude-3-haiku', match_type: 'exact', input_usd_per_million: 0.25, output_usd_per_million: 1.25, effective_from: '2024-03-13' },
  { provider: 'anthropic', model: String.raw`^(?:(?:[a-z]+\.)?anthropic\.)?claude-3-haiku[-@]\d{8}(?:-v\d+:\d+)?$`, match_type: 'pattern', input_usd_per_million: 0.25, output_usd_per_million: 1.25, effective_from: '2024-03-13' },

  // Google (prompts up to 128k tokens for 1.5, up to 200k for 2.5 Pro)
  { provider: 'google', model: 'gemini-1.5-pro', match_type: 'exact', input_usd_per_million: 3.5, output_usd_per_million: 10.5, effective_from: '2024-05-14' },
  { provider: 'google', model: 'gemini-1.5-pro', match_type: 'exact', input_usd_per_million: 1.25, output_usd_per_million: 5, effective_from: '2024-10-01' },
  { provider: 'google', model: String.raw`^gemini-1\.5-pro-(?:\d{3}|latest)$`, match_type: 'pattern', input_usd_per_million: 3.5, output_usd_per_million: 10.5, effective_from: '2024-05-14' },
  { provider: 'google', model: String.raw`^gemini-1\.5-pro-(?:\d{3}|latest)$`, match_type: 'pattern', input_usd_per_million: 1.25, output_usd_per_million: 5, effective_from: '2024-10-01' },
  { provider: 'google', model: 'gemini-1.5-flash', match_type: 'exact', input_usd_per_million: 0.35, output_usd_per_million: 1.05, effective_from: '2024-05-14' },
  { provider: 'google', model: 'gemini-1.5-flash', match_type: 'exact', input_usd_per_million: 0.075, output_usd_per_million: 0.3, effective_from: '2024-08-12' },
  { provider: 'google', model: String.raw`^gemini-1\.5-flash-(?:\d{3}|latest)$`, match_type: 'pattern', input_usd_per_million: 0.35, output_usd_per_million: 1.05, effective_from: '2024-05-14' },
  { provider: 'google', model: String.raw`^gemini-1\.5-flash-(?:\d{3}|latest)$`, match_type: 'pattern', input_usd_per_million: 0.075, output_usd_per_million: 0.3, effective_from: '2024-08-12' },
  { provider: 'google', model: 'gemini-2.0-flash', match_type: 'exact', input_usd_per_million: 0.1, output_usd_per_million: 0.4, effective_from: '2025-02-05' },
  { provider: 'google', model: String.raw`^gemini-2\.0-flash-\d{3}$`, match_type: 'pattern', input_usd_per_million: 0.1, output_usd_per_million: 0.4, effective_from: '2025-02-05' },
  { provider: 'google', model: 'gemini-2.5-pro', match_type: 'exact', input_usd_per_million: 1.25, output_usd_per_million: 10, effective_from: '2025-06-17' },
  { provider: 'google', model: String.raw`^gemini-2\.5-pro-preview-\d{2}-\d{2}$`, match_type: 'pattern', input_usd_per_million: 1.25, output_usd_per_million: 10, effective_from: '2025-04-04' },
  { provider: 'google', model: 'gemini-2.5-flash', match_type: 'exact', input_usd_per_million: 0.3, output_usd_per_million: 2.5, effective_from: '2025-06-17' },

  // Mistral: "-latest" and dated ids; older dated releases priced differently get exact rows.
  { provider: 'mistral', model: 'mistral-large', match_type: 'exact', input_usd_per_million: 3, output_usd_per_million: 9, effective_from: '2024-07-24' },
  { provider: 'mistral', model: 'mistral-large', match_type: 'exact', input_usd_per_million: 2, output_usd_per_million: 6, effective_from: '2024-09-17' },
  { provider: 'mistral', model: String.raw`^mistral-large-(?:latest|\d{4})$`, match_type: 'pattern', input_usd_per_million: 3, output_usd_per_million: 9, effective_from: '2024-07-24' },
  { provider: 'mistral', model: String.raw`^mistral-large-(?:latest|\d{4})$`, match_type: 'pattern', input_usd_per_million: 2, output_usd_per_million: 6, effective_from: '2024-09-17' },
  { provider: 'mistral', model: 'mistral-small', match_type: 'exact', input_usd_per_million: 0.2, output_usd_per_million: 0.6, effective_from: '2024-09-17' },
  { provider: 'mistral', model: 'mistral-small', match_type: 'exact', input_usd_per_million: 0.1, output_usd_per_million: 0.3, effective_from: '2025-01-30' },
  { provider: 'mistral', model: 'mistral-small-2409', match_type: 'exact', input_usd_per_million: 0.2, output_usd_per_million: 0.6, effective_from: '2024-09-17' },
  { provider: 'mistral', model: String.raw`^mistral-small-(?:latest|25\d{2})$`, match_type: 'pattern', input_usd_per_million: 0.2, output_usd_per_million: 0.6, effective_from: '2024-09-17' },
  { provider: 'mistral', model: String.raw`^mistral-small-(?:latest|25\d{2})$`, match_type: 'pattern', input_usd_per_million: 0.1, output_usd_per_million: 0.3, effective_from: '2025-01-30' },
  { provider: 'mistral', model: 'codestral', match_type: 'exact', input_usd_per_million: 0.2, output_usd_per_million: 0.6, effective_from: '2024-09-17' },
  { provider: 'mistral', model: 'codestral', match_type: 'exact', input_usd_per_million: 0.3, output_usd_per_million: 0.9, effective_from: '2025-01-13' },
  { provider: 'mistral', model: 'codestral-2405', match_type: 'exact', input_usd_per_million: 0.2, output_usd_per_million: 0.6, effective_from: '2024-09-17' },
  { provider: 'mistral', model: String.raw`^codestral-(?:latest|25\d{2})$`, match_type: 'pattern', input_usd_per_million: 0.2, output_usd_per_million: 0.6, effective_from: '2024-09-17' },
  { provider: 'mistral', model: String.raw`^codestral-(?:latest|25\d{2})$`, match_type: 'pattern', input_usd_per_million: 0.3, output_usd_per_million: 0.9, effective_from: '2025-01-13' },
  { provider: 'mistral', model: 'open-mistral-nemo', match_type: 'exact', input_usd_per_million: 0.3, output_usd_per_million: 0.3, effective_from: '2024-07-18' },
  { provider: 'mistral', model: 'open-mistral-nemo', match_type: 'exact', input_usd_per_million: 0.15, output_usd_per_million: 0.15, effective_from: '2024-09-17' },
  { provider: 'mistral', model: String.raw`^open-mistral-nemo-\d{4}$`, match_type: 'pattern', input_usd_per_million: 0.3, output_usd_per_million: 0.3, effective_from: '2024-07-18' },
  { provider: 'mistral', model: String.raw`^open-mistral-nemo-\d{4}$`, match_type: 'pattern', input_usd_per_million: 0.15, output_usd_per_million: 0.15, effective_from: '2024-09-17' },

  // Meta has no first-party API; these are Together AI's serverless ("Turbo") prices, a common
  // reference point. Hosts differ, so admins running on Bedrock or Groq should add their own rows.
  { provider: 'meta', model: 'llama-3.1-8b-instruct', match_type: 'exact', input_usd_per_million: 0.18, output_usd_per_million: 0.18, effective_from: '2024-07-23' },
  { provider: 'meta', model: String.raw`^(?:meta-llama/)?(?:meta-)?llama-3\.1-8b-instruct(?:-turbo)?$`, match_type: 'pattern', input_usd_per_million: 0.18, output_usd_per_million: 0.18, effective_from: '2024-07-23' },
  { provider: 'meta', model: 'llama-3.1-70b-instruct', match_type: 'exact', input_usd_per_million: 0.88, output_usd_per_million: 0.88, effective_from: '2024-07-23' },
  { provider: 'meta', model: String.raw`^(?:meta-llama/)?(?:meta-)?llama-3\.1-70b-instruct(?:-turbo)?$`, match_type: 'pattern', input_usd_per_million: 0.88, output_usd_per_million: 0.88, effective_from: '2024-07-23' },
  { provider: 'meta', model: 'llama-3.1-405b-instruct', match_type: 'exact', input_usd_per_million: 3.5, output_usd_per_million: 3.5, effective_from: '2024-07-23' },
  { provider: 'meta', model: String.raw`^(?:meta-llama/)?(?:meta-)?llama-3\.1-405b-instruct(?:-turbo)?$`, match_type: 'pattern', input_usd_per_million: 3.5, output_usd_per_million: 3.5, effective_from: '2024-07-23' },
  { provider: 'meta', model: 'llama-3.3-70b', match_type: 'exact', input_usd_per_million: 0.88, output_usd_per_million: 0.88, effective_from: '2024-12-06' },
  { provider: 'meta', model: String.raw`^(?:meta-llama/)?(?:meta-)?llama-3\.3-70b(?:-instruct)?(?:-turbo)?$`, match_type: 'pattern', input_usd_per_million: 0.88, output_usd_per_million: 0.88, effective_from: '2024-12-06' },
];

// A string with an explicit offset, so Postgres does not read the day in the session time zone.
function effectiveFrom(row: SeedPrice): string {
  return `${row.effective_from}T00:00:00Z`;
}

export async function up(db: Kysely<any>): Promise<void> {
  await db
    .insertInto('model_prices')
    .values(seedPrices.map((row) => ({ ...row, effective_from: effectiveFrom(row) })))
    .execute();
}

// (model, match_type, effective_from) is the table's unique key, so this removes the seeded rows
// and nothing an admin added alongside them.
export async function down(db: Kysely<any>): Promise<void> {
  await db
    .deleteFrom('model_prices')
    .where((eb) =>
      eb.or(
        seedPrices.map((row) =>
          eb.and([
            eb('model', '=', row.model),
            eb('match_type', '=', row.match_type),
            eb('effective_from', '=', effectiveFrom(row)),
          ]),
        ),
      ),
    )
    .execute();
}
