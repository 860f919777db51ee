// One family of expected errors. Each code maps to a GraphQL `extensions.code` and an HTTP
// status in one place (server/http/errors.ts); anything that is not an AppError is masked.

export type ErrorCode =
  | 'UNAUTHENTICATED'
  | 'FORBIDDEN'
  | 'BAD_USER_INPUT'
  | 'NOT_FOUND'
  | 'RATE_LIMITED'
  | 'PAYLOAD_TOO_LARGE'
  | 'CONFLICT'
  /** Stored span content that cannot be decrypted or decoded: reported on that one field. */
  | 'CONTENT_UNREADABLE';

export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    /** Safe, non-secret facts a client can act on (e.g. `retryAfterSeconds`). */
    readonly details?: Record<string, unknown>,
    /** Set when the error refuses the whole request rather than one field. */
    readonly httpStatus?: number,
  ) {
    super(message);
    this.name = 'AppError';
  }
}

export const unauthenticated = (message = 'Sign in or send a valid token.') =>
  new AppError('UNAUTHENTICATED', message);
export const forbidden = (message = 'You are not allowed to do this.') => new AppError('FORBIDDEN', message);
export const badInput = (message: string, details?: Record<string, unknown>) =>
  new AppError('BAD_USER_INPUT', message, details);
export const notFound = (what: string) => new AppError('NOT_FOUND', `${what} not found.`);
