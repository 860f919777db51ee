import { CombinedError } from '@urql/core';
import { GraphQLError } from 'graphql';
import { describe, expect, it } from 'vitest';
import { errorCode, errorMessage } from './errors';

describe('error messages', () => {
  it('shows the server’s message for expected errors and a sentence for network trouble', () => {
    const forbidden = new CombinedError({ graphQLErrors: [new GraphQLError('Only admins may do this.', { extensions: { code: 'FORBIDDEN' } })] });
    expect(errorMessage(forbidden)).toBe('Only admins may do this.');
    expect(errorCode(forbidden)).toBe('FORBIDDEN');
    expect(errorMessage(new CombinedError({ networkError: new Error('fetch failed') }))).toMatch(/Could not reach/);
    expect(errorMessage(undefined)).toBe('');
  });

  it('shows a refused sign-in in the server’s words, and any other UNAUTHENTICATED as an ended session', () => {
    const wrongPassword = new CombinedError({
      graphQLErrors: [new GraphQLError('The e-mail or password is incorrect.', { path: ['signIn'], extensions: { code: 'UNAUTHENTICATED' } })],
    });
    expect(errorMessage(wrongPassword)).toBe('The e-mail or password is incorrect.');
    const expired = new CombinedError({ graphQLErrors: [new GraphQLError('Sign in or send a valid token.', { path: ['project'], extensions: { code: 'UNAUTHENTICATED' } })] });
    expect(errorMessage(expired)).toBe('Your session has ended. Sign in again.');
  });
});
