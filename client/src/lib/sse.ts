import type { ExecutionResult } from '@urql/core';

// GraphQL over SSE ("distinct connections" mode, what yoga serves at /graphql when asked for
// text/event-stream). A fetch-based transport rather than EventSource: it can POST a JSON body,
// so the request passes the server's CSRF checks like every other dashboard request, and the
// session cookie goes with it because it is same-origin.

export interface SseEvent {
  event: string;
  data: string;
}

/** Feeds chunks of an event stream; calls `onEvent` for each complete event. Comments (pings) are skipped. */
export function createSseParser(onEvent: (event: SseEvent) => void): (chunk: string) => void {
  let buffer = '';
  return (chunk) => {
    buffer += chunk.replace(/\r\n?/g, '\n');
    let end: number;
    while ((end = buffer.indexOf('\n\n')) !== -1) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      let event = 'message';
      const data: string[] = [];
      for (const line of block.split('\n')) {
        if (line === '' || line.startsWith(':')) continue;
        const colon = line.indexOf(':');
        const field = colon === -1 ? line : line.slice(0, colon);
        const value = colon === -1 ? '' : line.slice(colon + 1).replace(/^ /, '');
        if (field === 'event') event = value;
        else if (field === 'data') data.push(value);
      }
      if (data.length > 0 || event !== 'message') onEvent({ event, data: data.join('\n') });
    }
  };
}

export interface SseRequest {
  query?: string;
  variables?: Record<string, unknown> | undefined;
  operationName?: string | undefined;
  extensions?: Record<string, unknown> | undefined;
}

export interface SseSink {
  next(value: ExecutionResult): void;
  error(err: unknown): void;
  complete(): void;
}

/** Opens one stream for one subscription; the returned function closes it. */
export function subscribeOverSse(url: string, request: SseRequest, sink: SseSink, fetchImpl: typeof fetch = fetch): () => void {
  const controller = new AbortController();
  let done = false;
  const finish = (fn: () => void) => {
    if (done) return;
    done = true;
    fn();
  };
  void (async () => {
    try {
      const res = await fetchImpl(url, {
        method: 'POST',
        credentials: 'same-origin',
        headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
        body: JSON.stringify({ query: request.query, variables: request.variables, operationName: request.operationName }),
        signal: controller.signal,
      });
      const type = res.headers.get('content-type') ?? '';
      if (!type.startsWith('text/event-stream')) {
        // An error before the stream started (e.g. FORBIDDEN) comes back as a plain GraphQL response.
        const body = (await res.json().catch(() => null)) as ExecutionResult | null;
        finish(() => (body?.errors ? (sink.next(body), sink.complete()) : sink.error(new Error(`Live tail failed (HTTP ${res.status}).`))));
        return;
      }
      if (!res.body) throw new Error('The live tail stream has no body.');
      const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
      const feed = createSseParser(({ event, data }) => {
        if (done) return;
        if (event === 'next' || event === 'message') sink.next(JSON.parse(data) as ExecutionResult);
        else if (event === 'complete') finish(() => sink.complete());
      });
      for (;;) {
        const { value, done: streamDone } = await reader.read();
        if (streamDone) break;
        feed(value);
      }
      finish(() => sink.complete());
    } catch (err) {
      if (controller.signal.aborted) return;
      finish(() => sink.error(err));
    }
  })();
  return () => {
    done = true;
    controller.abort();
  };
}
