import type { Redis } from 'ioredis';
import { RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import { localRateLimiter } from '../../cluster/local-rate-limiter';
import { AppError } from '../../errors';

// Spans per minute per project (TOKENTRACE_INGEST_SPANS_PER_MINUTE), counted by both ingest doors
// alike, in Redis when REDIS_URL is set so every instance shares one budget. Off (0) by default:
// a self-hosted server usually has one tenant per project and no reason to turn spans away.

export interface IngestRateLimiter {
  /** Takes `spans` from the project's budget; throws RATE_LIMITED (with retryAfterSeconds) when it is spent. */
  take(projectId: string, spans: number): Promise<void>;
}

export function createIngestRateLimiter(spansPerMinute: number, store: { redis?: Redis; keyPrefix?: string } = {}): IngestRateLimiter {
  if (spansPerMinute <= 0) return { take: async () => {} };
  const options = { keyPrefix: `${store.keyPrefix ?? ''}ingest-spans`, points: spansPerMinute, duration: 60 };
  const limiter: RateLimiterAbstract = store.redis
    ? new RateLimiterRedis({ ...options, storeClient: store.redis })
    : localRateLimiter(options);
  return {
    async take(projectId, spans) {
      if (spans <= 0) return;
      try {
        await limiter.consume(projectId, spans);
      } catch (err) {
        // consume() rejects with a RateLimiterRes when the budget is spent, with an Error when the store fails.
        if (!(err instanceof RateLimiterRes)) throw err;
        throw new AppError('RATE_LIMITED', `This project may ingest ${spansPerMinute} spans a minute; try again later.`, {
          retryAfterSeconds: Math.max(1, Math.ceil(err.msBeforeNext / 1000)),
        });
      }
    },
  };
}
