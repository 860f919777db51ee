import type { CombinedError } from '@urql/core';

// What a person reads when something fails: the server's message for expected errors (they are
// written for people), a plain sentence for network trouble.

export function errorCode(error: CombinedError | null | undefined): string | undefined {
  return error?.graphQLErrors[0]?.extensions?.code as string | undefined;
}

export function errorMessage(error: CombinedError | Error | null | undefined): string {
  if (!error) return '';
  if ('graphQLErrors' in error) {
    if (error.networkError) return 'Could not reach the tokentrace server. Check your connection and try again.';
    const first = error.graphQLErrors[0];
    if (first) {
      // A refused sign-in (or sign-up) answers what was typed: show the server's words. Any other
      // UNAUTHENTICATED means the session is gone.
      const field = first.path?.[0];
      if (first.extensions?.code === 'UNAUTHENTICATED' && field !== 'signIn' && field !== 'signUp') return 'Your session has ended. Sign in again.';
      return first.message;
    }
  }
  return error.message.replace(/^\[(GraphQL|Network)\]\s*/, '');
}
