import { RateLimiterMemory, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
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
