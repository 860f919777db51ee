import type { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import { AppError } from '../errors';

// Failed sign-ins are counted per e-mail (guessing one account's password) and per IP
// (spraying many accounts). Every attempt takes a point *before* the password is checked, so
// a burst of parallel guesses cannot all pass a check that only counts after bcrypt is done;
// a successful sign-in gives its point back, so in effect only failures count.

export interface SignInLimiter {
  /** Counts an attempt against both budgets; throws RATE_LIMITED when either is spent. */
  beginAttempt(email: string, ip: string | null): Promise<void>;
  /** The attempt succeeded: the e-mail's count is cleared and the IP's point returned. */
  recordSuccess(email: string, ip: string | null): Promise<void>;
}

export interface SignInLimiterStore {
  /** Counts in Redis, so every instance using it shares one budget; in process memory otherwise. */
  redis?: Redis;
  /** Prepended to the Redis keys (tests use a fresh one per run). */
  keyPrefix?: string;
}

export function createSignInLimiter(
  opts: { perEmail: number; perIp: number; windowSeconds: number },
  store: SignInLimiterStore = {},
): SignInLimiter {
  const limiter = (name: string, points: number): RateLimiterAbstract => {
    const options = { keyPrefix: `${store.keyPrefix ?? ''}${name}`, points, duration: opts.windowSeconds };
    // rate-limiter-flexible speaks ioredis by default (useRedisPackage is for node-redis).
    return store.redis ? new RateLimiterRedis({ ...options, storeClient: store.redis }) : new RateLimiterMemory(options);
  };
  const byEmail = limiter('signin-email', opts.perEmail);
  const byIp = limiter('signin-ip', opts.perIp);
  const ipKey = (ip: string | null) => ip ?? 'unknown';

  const limited = (res: RateLimiterRes) =>
    new AppError('RATE_LIMITED', 'Too many failed sign-in attempts. Try again later.', {
      retryAfterSeconds: Math.max(1, Math.ceil(res.msBeforeNext / 1000)),
    });
  // consume() rejects with a RateLimiterRes once the budget is spent, and with an Error when
  // the store fails; only the first is a rate limit.
  const take = async (limiter: RateLimiterAbstract, key: string) => {
    try {
      await limiter.consume(key);
    } catch (err) {
      throw err instanceof RateLimiterRes ? limited(err) : err;
    }
  };

  return {
    async beginAttempt(email, ip) {
      // The IP first: a sprayer whose IP is spent does not also use up its victims' budgets.
      await take(byIp, ipKey(ip));
      await take(byEmail, email);
    },
    async recordSuccess(email, ip) {
      await Promise.all([byEmail.delete(email), byIp.reward(ipKey(ip), 1)]);
    },
  };
}
