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
  /**
   * Replace personal data in content before it is sent, with the server's own rules and engine.
   * `true`: e-mail addresses, phone numbers, card numbers and secrets (the server's default set);
   * `{ rules: [...] }`: the rules named, opt-in ones included (`iban`, `ip`, `ssn`). @default false
   */
  piiRedaction?: boolean | { rules: readonly PiiRule[] };
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

/** The server's built-in PII rules (the `PiiRule` enum of the API, lower-case). */
export type PiiRule = 'email' | 'phone' | 'card' | 'secret' | 'iban' | 'ip' | 'ssn';
const PII_RULES: readonly PiiRule[] = ['email', 'phone', 'card', 'secret', 'iban', 'ip', 'ssn'];
const DEFAULT_PII_RULES: readonly PiiRule[] = ['email', 'phone', 'card', 'secret'];

function piiRules(option: TokentraceOptions['piiRedaction']): readonly PiiRule[] {
  if (option === undefined || option === false) return [];
  if (option === true) return DEFAULT_PII_RULES;
  const rules = (option as { rules?: unknown })?.rules;
  if (!Array.isArray(rules) || rules.length === 0 || rules.some((r) => !PII_RULES.includes(r as PiiRule))) {
    throw new TypeError(`tokentrace: piiRedaction must be true, false or { rules: [...] } with rules among ${PII_RULES.join(', ')} (got ${JSON.stringify(option)})`);
  }
  return [...new Set(rules as PiiRule[])];
}

export interface ResolvedOptions {
  apiKey: string;
  endpoint: string;
  enabled: boolean;
  redactInputs: boolean;
  redactOutputs: boolean;
  /** The PII rules to apply before sending; empty when piiRedaction is off. */
  piiRules: readonly PiiRule[];
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
    piiRules: piiRules(options.piiRedaction),
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
