import { Client, cacheExchange, fetchExchange, subscriptionExchange } from '@urql/core';
import { subscribeOverSse } from './sse';

// One client for the whole app, provided through context by App.svelte. Everything is a
// same-origin POST with a JSON body: the session cookie goes along, and the server's CSRF check
// (Sec-Fetch-Site / Origin, JSON only) passes for the dashboard and for nobody else.
export function createTokentraceClient(url = '/graphql'): Client {
  return new Client({
    url,
    preferGetMethod: false,
    requestPolicy: 'cache-and-network',
    fetchOptions: { credentials: 'same-origin', headers: { accept: 'application/graphql-response+json, application/json' } },
    exchanges: [
      cacheExchange,
      fetchExchange,
      subscriptionExchange({
        forwardSubscription: (request) => ({
          subscribe: (sink) => ({ unsubscribe: subscribeOverSse(url, request, sink) }),
        }),
      }),
    ],
  });
}
