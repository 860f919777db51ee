// When to try a failed batch again. Spans carry client-made ids and the server's insert is
// idempotent by id, so a retry after a lost response never stores a span twice.

/** Exponential backoff with "equal jitter": half the delay fixed, half random, so a fleet of
 * clients that failed together does not retry together. */
export function backoffDelay(attempt: number, baseMs: number, maxMs: number, random: () => number = Math.random): number {
  const exp = Math.min(maxMs, baseMs * 2 ** Math.min(attempt, 30));
  return Math.round(exp / 2 + random() * (exp / 2));
}

/** Longest Retry-After we honour: a misconfigured proxy must not park the queue for hours. */
const MAX_RETRY_AFTER_MS = 5 * 60_000;

/** `Retry-After` as milliseconds from now: delta-seconds or an HTTP date; undefined if absent/invalid. */
export function parseRetryAfter(header: string | null, now: number = Date.now()): number | undefined {
  if (header === null) return undefined;
  const text = header.trim();
  if (/^\d+(?:\.\d+)?$/.test(text)) return Math.min(MAX_RETRY_AFTER_MS, Math.round(Number(text) * 1000));
  const at = Date.parse(text);
  if (Number.isNaN(at)) return undefined;
  return Math.min(MAX_RETRY_AFTER_MS, Math.max(0, at - now));
}

/** GraphQL error codes (HTTP 200) that a later attempt may get past. */
export const RETRYABLE_GRAPHQL_CODES: ReadonlySet<string> = new Set(['RATE_LIMITED', 'INTERNAL_SERVER_ERROR', 'SERVICE_UNAVAILABLE']);

/** HTTP statuses worth a retry: timeouts, rate limits and server-side failures. */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 429 || status >= 500;
}
