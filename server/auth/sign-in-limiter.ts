import { RateLimiterMemory, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import { AppError } from '../errors';

// Failed sign-ins are counted per e-mail (guessing one account's password) and per IP
// (spraying many accounts). Only failures count; a success clears the e-mail's counter.

export interface SignInLimiter {
  /** Throws RATE_LIMITED when either counter is exhausted. */
  assertAllowed(email: string, ip: string | null): Promise<void>;
  recordFailure(email: string, ip: string | null): Promise<void>;
  recordSuccess(email: string): Promise<void>;
}

export function createSignInLimiter(opts: { perEmail: number; perIp: number; windowSeconds: number }): SignInLimiter {
  const byEmail: RateLimiterAbstract = new RateLimiterMemory({
    keyPrefix: 'signin-email',
    points: opts.perEmail,
    duration: opts.windowSeconds,
  });
  const byIp: RateLimiterAbstract = new RateLimiterMemory({
    keyPrefix: 'signin-ip',
    points: opts.perIp,
    duration: opts.windowSeconds,
  });
  const ipKey = (ip: string | null) => ip ?? 'unknown';

  const limited = (res: RateLimiterRes) =>
    new AppError('RATE_LIMITED', 'Too many failed sign-in attempts. Try again later.', {
      retryAfterSeconds: Math.ceil(res.msBeforeNext / 1000),
    });

  return {
    async assertAllowed(email, ip) {
      const [e, i] = await Promise.all([byEmail.get(email), byIp.get(ipKey(ip))]);
      for (const res of [e, i]) {
        if (res && res.remainingPoints <= 0) throw limited(res);
      }
    },
    async recordFailure(email, ip) {
      // consume() rejects with a RateLimiterRes once the budget is spent; that is expected.
      await Promise.allSettled([byEmail.consume(email), byIp.consume(ipKey(ip))]);
    },
    async recordSuccess(email) {
      await byEmail.delete(email);
    },
  };
}
