import { checkEndpoint } from './endpoint.js';
import type { TokentraceError } from './errors.js';

export interface TokentraceOptions {
  /** An ingest key (`ttk_…`) of the project. @default process.env.TOKENTRACE_API_KEY */
  apiKey?: string;
  /** The server's GraphQL URL, e.g. `https://tokentrace.example.com/graphql`. @default process.env.TOKENTRACE_ENDPOINT */
  endpoint?: string;
  /** Send no input content at all (metadata, timings and tokens only). @default false */
  redactInputs?: boolean;
  /** Send no output content at all. @default false */
  redactOutputs?: boolean;
  /** Replace e-mail addresses, card numbers, phone numbers and secrets in content before it is sent (the server's built-in rule set). @default false */
  piiRedaction?: boolean;
  /** Send a batch as soon as this many spans are queued; also the largest batch sent. @default 100 */
  flushAt?: number;
  /** Send whatever is queued at least this often. @default 1000 */
  flushIntervalMs?: number;
  /** Spans kept while the server is slow or unreachable; beyond it new spans are dropped (and reported once). @default 10000 */
  maxQueueSize?: number;
  /** Give up one HTTP request after this long (it is then retried). @default 10000 */
  timeoutMs?: number;
  /** Attempts after the first for a batch that fails with a network error, 5xx or 429. @default 10 */
  maxRetries?: number;
  /** First retry delay; doubles each attempt, with jitter, up to `maxRetryDelayMs`. @default 500 */
  retryDelayMs?: number;
  /** @default 30000 */
  maxRetryDelayMs?: number;
  /** Everything that goes wrong after construction comes here; the SDK never throws into your code. @default a console warning */
  onError?: (error: TokentraceError) => void;
  /** Allow `http://` for a loopback address (localhost, 127.0.0.0/8, ::1), for local development only. @default false */
  allowInsecureLocalhost?: boolean;
  /** Turn sending off (spans become no-ops), e.g. in tests. @default false unless no apiKey */
  disabled?: boolean;
}

export interface ResolvedOptions {
  apiKey: string;
  endpoint: string;
  enabled: boolean;
  redactInputs: boolean;
  redactOutputs: boolean;
  piiRedaction: boolean;
  flushAt: number;
  flushIntervalMs: number;
  maxQueueSize: number;
  timeoutMs: number;
  maxRetries: number;
  retryDelayMs: number;
  maxRetryDelayMs: number;
  onError: (error: TokentraceError) => void;
}

const DEFAULT_ENDPOINT = 'https://localhost/graphql';

function positive(name: string, value: number | undefined, fallback: number, min = 1): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min) {
    throw new TypeError(`tokentrace: ${name} must be a number ≥ ${min} (got ${String(value)})`);
  }
  return Math.floor(value);
}

function defaultOnError(error: TokentraceError): void {
  console.warn(`[tokentrace] ${error.code}: ${error.message}`);
}

/** Validates options at construction: a wrong value throws here, never later in the app's path. */
export function resolveOptions(options: TokentraceOptions, env: Record<string, string | undefined>): ResolvedOptions & { missing: string | undefined } {
  const apiKey = (options.apiKey ?? env.TOKENTRACE_API_KEY ?? '').trim();
  const endpointText = (options.endpoint ?? env.TOKENTRACE_ENDPOINT ?? '').trim();
  // Missing configuration disables sending (with one warning, by the caller): an app whose
  // environment lacks the variables must still start. A WRONG endpoint (http://, not a URL) is
  // a mistake worth stopping for, so it throws.
  const missing = apiKey === '' ? 'apiKey (TOKENTRACE_API_KEY)' : endpointText === '' ? 'endpoint (TOKENTRACE_ENDPOINT)' : undefined;
  const endpoint = endpointText === '' ? DEFAULT_ENDPOINT : checkEndpoint(endpointText, options.allowInsecureLocalhost === true);
  return {
    apiKey,
    endpoint,
    missing,
    enabled: missing === undefined && options.disabled !== true,
    redactInputs: options.redactInputs === true,
    redactOutputs: options.redactOutputs === true,
    piiRedaction: options.piiRedaction === true,
    flushAt: positive('flushAt', options.flushAt, 100),
    flushIntervalMs: positive('flushIntervalMs', options.flushIntervalMs, 1000),
    maxQueueSize: positive('maxQueueSize', options.maxQueueSize, 10_000),
    timeoutMs: positive('timeoutMs', options.timeoutMs, 10_000),
    maxRetries: positive('maxRetries', options.maxRetries, 10, 0),
    retryDelayMs: positive('retryDelayMs', options.retryDelayMs, 500),
    maxRetryDelayMs: positive('maxRetryDelayMs', options.maxRetryDelayMs, 30_000),
    onError: options.onError ?? defaultOnError,
  };
}
