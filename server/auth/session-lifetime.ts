// A session has two limits. The idle timeout slides: each use pushes the expiry out again. The
// absolute lifetime does not: counted from sign-in, it ends the session however busy it is, so
// a stolen cookie that is used every few minutes still dies, and a user signs in again now and
// then (TOKENTRACE_SESSION_IDLE_DAYS, TOKENTRACE_SESSION_MAX_DAYS).

export interface SessionLimits {
  sessionIdleMs: number;
  sessionMaxAgeMs: number;
}

/** When a session used at `now` expires: the idle timeout from now, never past its lifetime. */
export function sessionExpiry(createdAt: Date, now: Date, limits: SessionLimits): Date {
  return new Date(Math.min(now.getTime() + limits.sessionIdleMs, createdAt.getTime() + limits.sessionMaxAgeMs));
}

/** True once a session has lived its absolute lifetime, whatever its stored expiry says. */
export function sessionOutlived(createdAt: Date, now: Date, limits: SessionLimits): boolean {
  return now.getTime() >= createdAt.getTime() + limits.sessionMaxAgeMs;
}
