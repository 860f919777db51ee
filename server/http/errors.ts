import { createGraphQLError } from 'graphql-yoga';
import { GraphQLError } from 'graphql';
import type { Logger } from 'pino';
import { AppError, type ErrorCode } from '../errors';

// The one place where AppError codes become GraphQL error codes and HTTP statuses. Anything
// that is not an AppError (a bug, a database error) is logged and masked: no stack, no SQL.

// Only request-level failures change the HTTP status; a refused field in an otherwise good
// query stays a 200 with `errors`, as GraphQL clients expect.
const httpStatus: Partial<Record<ErrorCode, number>> = {
  UNAUTHENTICATED: 401,
  RATE_LIMITED: 429,
  PAYLOAD_TOO_LARGE: 413,
};

function toGraphQLError(appError: AppError, from?: GraphQLError): GraphQLError {
  const status = appError.httpStatus ?? httpStatus[appError.code];
  const retryAfter = appError.details?.retryAfterSeconds;
  return createGraphQLError(appError.message, {
    nodes: from?.nodes,
    source: from?.source,
    positions: from?.positions,
    path: from?.path,
    extensions: {
      code: appError.code,
      ...appError.details,
      ...(status ? { http: { status, headers: retryAfter ? { 'retry-after': String(retryAfter) } : {} } } : {}),
    },
  });
}

export function createMaskError(logger: Logger) {
  return (error: unknown, message: string): Error => {
    const original = error instanceof GraphQLError ? error.originalError : error;
    if (original instanceof AppError) return toGraphQLError(original, error instanceof GraphQLError ? error : undefined);
    if (error instanceof GraphQLError) {
      // Variable coercion errors carry the scalar's own GraphQLError as originalError.
      const inner = error.originalError;
      const clientMistake = !inner || (inner instanceof GraphQLError && !inner.originalError);
      if (clientMistake) {
        // Parse, validation and variable errors: the client's own input, safe to show.
        if (!error.extensions?.code && /^Variable "\$|^Argument|got invalid value|Expected type/.test(error.message)) {
          return createGraphQLError(error.message, {
            nodes: error.nodes,
            source: error.source,
            positions: error.positions,
            path: error.path,
            extensions: { ...error.extensions, code: 'BAD_USER_INPUT' },
          });
        }
        return error;
      }
    }
    const describe = (e: unknown) => (e instanceof Error ? { name: e.name, message: e.message, stack: e.stack } : String(e));
    const cause = original instanceof Error && original.cause !== undefined ? { cause: describe(original.cause) } : {};
    logger.error({ err: describe(original), ...cause }, 'unexpected error');
    return createGraphQLError(message, {
      path: error instanceof GraphQLError ? error.path : undefined,
      extensions: { code: 'INTERNAL_SERVER_ERROR' },
    });
  };
}

/** A complete GraphQL-shaped error response, for failures before execution starts. */
export function httpErrorResponse(error: AppError): Response {
  const status = error.httpStatus ?? httpStatus[error.code] ?? 400;
  return new Response(JSON.stringify({ errors: [{ message: error.message, extensions: { code: error.code } }] }), {
    status,
    headers: { 'content-type': 'application/json; charset=utf-8' },
  });
}
