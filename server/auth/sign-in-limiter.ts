import type { Redis } from 'ioredis';
import { RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import { localRateLimiter } from '../cluster/local-rate-limiter';
import { AppError } from '../errors';

// Failed sign-ins are counted per e-mail (guessing one account's password) and per IP
// (spraying many accounts). Every attempt takes a point *before* the password is checked, so
// a burst of parallel guesses cannot all pass a check that only counts after bcrypt is done;
// a successful sign-in gives its point back, so in effect only failures count.
//
// Sign-ups are counted per IP, every one of them: "An account with this e-mail already exists"
// answers whether an address has an account, and each sign-up costs a bcrypt hash, so a script
// may ask only so often (the rest of that risk: docs/security.md).

export interface SignInLimiter {
  /** Counts an attempt against both budgets; throws RATE_LIMITED when either is spent. */
  beginAttempt(email: string, ip: string | null): Promise<void>;
  /** The attempt succeeded: the e-mail's count is cleared and the IP's point returned. */
  recordSuccess(email: string, ip: string | null): Promise<void>;
  /** Counts a sign-up against its IP's budget; throws RATE_LIMITED when it is spent. */
  beginSignUp(ip: string | null): Promise<void>;
}

export interface SignInLimiterStore {
  /** Counts in Redis, so every instance using it shares one budget; in process memory otherwise. */
  redis?: Redis;
  /** Prepended to the Redis keys (tests use a fresh one per run). */
  keyPrefix?: string;
}

/** Sign-ups per IP per window when the caller does not say (TOKENTRACE_SIGNUP_MAX_PER_IP). */
export const DEFAULT_SIGN_UPS_PER_IP = 10;

export function createSignInLimiter(
  opts: { perEmail: number; perIp: number; windowSeconds: number; signUpsPerIp?: number },
  store: SignInLimiterStore = {},
): SignInLimiter {
  const limiter = (name: string, points: number): RateLimiterAbstract => {
    const options = { keyPrefix: `${store.keyPrefix ?? ''}${name}`, points, duration: opts.windowSeconds };
    // rate-limiter-flexible speaks ioredis by default (useRedisPackage is for node-redis).
    return store.redis ? new RateLimiterRedis({ ...options, storeClient: store.redis }) : localRateLimiter(options);
  };
  const byEmail = limiter('signin-email', opts.perEmail);
  const byIp = limiter('signin-ip', opts.perIp);
  const signUpsByIp = limiter('signup-ip', opts.signUpsPerIp ?? DEFAULT_SIGN_UPS_PER_IP);
  const ipKey = (ip: string | null) => ip ?? 'unknown';

  const limited = (res: RateLimiterRes, message: string) =>
    new AppError('RATE_LIMITED', message, { retryAfterSeconds: Math.max(1, Math.ceil(res.msBeforeNext / 1000)) });
  // consume() rejects with a RateLimiterRes once the budget is spent, and with an Error when
  // the store fails; only the first is a rate limit.
  const take = async (limiter: RateLimiterAbstract, key: string, message = 'Too many failed sign-in attempts. Try again later.') => {
    try {
      await limiter.consume(key);
    } catch (err) {
      throw err instanceof RateLimiterRes ? limited(err, message) : err;
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
    async beginSignUp(ip) {
      await take(signUpsByIp, ipKey(ip), 'Too many sign-ups from this address. Try again later.');
    },
  };
}
