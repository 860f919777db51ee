import { describe, expect, it } from 'vitest';
import { createSseParser, subscribeOverSse, type SseEvent } from './sse';

describe('createSseParser', () => {
  it('parses events split across chunks, skipping pings', () => {
    const events: SseEvent[] = [];
    const feed = createSseParser((e) => events.push(e));
    feed(':\n\nevent: next\nda');
    feed('ta: {"data":{"a":1}}\n\n');
    feed('event: next\r\ndata: {"data":\r\ndata: {"a":2}}\r\n\r\nevent: complete\ndata:\n\n');
    expect(events).toEqual([
      { event: 'next', data: '{"data":{"a":1}}' },
      { event: 'next', data: '{"data":\n{"a":2}}' },
      { event: 'complete', data: '' },
    ]);
  });
});

describe('subscribeOverSse', () => {
  function streamOf(text: string[]): Response {
    const body = new ReadableStream<Uint8Array>({
      start(c) {
        for (const t of text) c.enqueue(new TextEncoder().encode(t));
        c.close();
      },
    });
    return new Response(body, { headers: { 'content-type': 'text/event-stream' } });
  }

  it('POSTs JSON asking for an event stream, and forwards results', async () => {
    let seen: RequestInit | undefined;
    const fakeFetch = (async (_url: string, init: RequestInit) => {
      seen = init;
      return streamOf(['event: next\ndata: {"data":{"spanIngested":{"id":"s1"}}}\n\n', 'event: complete\ndata:\n\n']);
    }) as unknown as typeof fetch;
    const results: unknown[] = [];
    await new Promise<void>((resolve, reject) => {
      subscribeOverSse('/graphql', { query: 'subscription { x }', variables: { p: '1' } }, { next: (v) => results.push(v), error: reject, complete: resolve }, fakeFetch);
    });
    expect(results).toEqual([{ data: { spanIngested: { id: 's1' } } }]);
    expect(seen?.method).toBe('POST');
    expect((seen?.headers as Record<string, string>).accept).toBe('text/event-stream');
    expect((seen?.headers as Record<string, string>)['content-type']).toBe('application/json');
    expect(JSON.parse(String(seen?.body))).toMatchObject({ variables: { p: '1' } });
  });

  it('passes on a refusal that comes back as a plain GraphQL response', async () => {
    const fakeFetch = (async () =>
      new Response(JSON.stringify({ errors: [{ message: 'no', extensions: { code: 'FORBIDDEN' } }] }), {
        status: 200,
        headers: { 'content-type': 'application/json' },
      })) as unknown as typeof fetch;
    const results: { errors?: unknown[] }[] = [];
    await new Promise<void>((resolve, reject) => {
      subscribeOverSse('/graphql', { query: 'subscription { x }' }, { next: (v) => results.push(v as never), error: reject, complete: resolve }, fakeFetch);
    });
    expect(results[0]?.errors).toHaveLength(1);
  });
});
