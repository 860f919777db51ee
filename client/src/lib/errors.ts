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
      if (first.extensions?.code === 'UNAUTHENTICATED') return 'Your session has ended. Sign in again.';
      return first.message;
    }
  }
  return error.message.replace(/^\[(GraphQL|Network)\]\s*/, '');
}

/**
 * Readable messages for the codes the OAuth routes redirect with (`/signin?error=<code>`);
 * the same codes as server/services/oauth-sign-in.ts (the client may not import server code).
 */
const OAUTH_ERRORS: Record<string, string> = {
  oauth_state_mismatch: 'The sign-in could not be matched to this browser (or was already used). Start again.',
  oauth_expired: 'The sign-in took too long. Start again.',
  oauth_denied: 'The provider did not grant access.',
  oauth_failed: 'The provider’s answer could not be verified. Start again.',
  oauth_unavailable: 'This sign-in provider is not configured or not reachable.',
  oauth_email_missing: 'The provider did not share an e-mail address.',
  oauth_email_unverified: 'Your e-mail address is not verified with the provider. Verify it there, then sign in again.',
  oauth_account_in_use: 'That provider account is already linked to another tokentrace user.',
  oauth_provider_already_linked: 'Another account of this provider is already linked; unlink it first.',
  oauth_link_requires_session: 'Sign in first to link a provider.',
};

export function oauthErrorMessage(code: string): string {
  return OAUTH_ERRORS[code] ?? 'Sign-in with the provider did not complete. Please try again.';
}
