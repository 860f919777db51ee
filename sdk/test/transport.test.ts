import type { ServerResponse } from 'node:http';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Tokentrace, type TokentraceError, type TokentraceOptions } from '../src/index.js';
import { backoffDelay, parseRetryAfter } from '../src/transport/retry-policy.js';
import { acceptAll, sentSpans, startHttpStub, type HttpStub, type RecordedRequest } from './helpers/http-stub.js';

// Batching, retries and the bounded queue, against a stub whose answers each test scripts.

const open: { tt: Tokentrace; stub: HttpStub }[] = [];

afterEach(async () => {
  for (const { tt, stub } of open.splice(0)) {
    await tt.shutdown({ timeoutMs: 200 });
    await stub.close();
  }
});

async function setup(handler: (req: RecordedRequest, res: ServerResponse, n: number) => void | Promise<void>, options: TokentraceOptions = {}) {
  let n = 0;
  const stub = await startHttpStub((req, res) => handler(req, res, n++));
  const errors: TokentraceError[] = [];
  const tt = new Tokentrace({
    apiKey: 'ttk_test',
    endpoint: `${stub.url}/graphql`,
    allowInsecureLocalhost: true,
    retryDelayMs: 10,
    maxRetryDelayMs: 40,
    onError: (e) => errors.push(e),
    ...options,
  });
  open.push({ tt, stub });
  return { tt, stub, errors };
}

const endSpans = (tt: Tokentrace, count: number, prefix = 's') => {
  for (let i = 0; i < count; i++) tt.startSpan({ name: `${prefix}${i}` }).end();
};

const ids = (stub: HttpStub) => sentSpans(stub).map((s) => s.name);

describe('batching', () => {
  it('sends a batch as soon as flushAt spans are queued, and the rest on the interval', async () => {
    const { tt, stub } = await setup(acceptAll, { flushAt: 3, flushIntervalMs: 1000 });
    const started = Date.now();
    endSpans(tt, 4);
    await vi.waitFor(() => expect(stub.requests).toHaveLength(1));
    expect(Date.now() - started).toBeLessThan(800); // not waiting for the interval
    expect(stub.requests.map((r) => r.json().variables.spans.length)).toEqual([3]);
    await vi.waitFor(() => expect(stub.requests).toHaveLength(2), { timeout: 3000 });
    expect(Date.now() - started).toBeGreaterThanOrEqual(990);
    expect(stub.requests.map((r) => r.json().variables.spans.length)).toEqual([3, 1]);
    expect(ids(stub)).toEqual(['s0', 's1', 's2', 's3']);
    // The stub records a request when it arrives; the SDK counts it sent once the answer is read.
    await vi.waitFor(() => expect(tt.stats()).toMatchObject({ queued: 0, sent: 4, failed: 0 }));
  });

  it('flush() resolves only once everything queued before it is sent', async () => {
    const { tt, stub } = await setup(async (req, res) => {
      await new Promise((r) => setTimeout(r, 30));
      acceptAll(req, res);
    }, { flushAt: 2, flushIntervalMs: 60_000 });
    endSpans(tt, 5);
    await tt.flush();
    expect(ids(stub)).toEqual(['s0', 's1', 's2', 's3', 's4']);
    expect(tt.stats().queued).toBe(0);
  });
});

describe('retries', () => {
  it('retries 503 and network failures with backoff, then delivers each span once', async () => {
    const { tt, stub, errors } = await setup((req, res, n) => {
      if (n === 0) return void res.writeHead(503, { 'content-type': 'application/json' }).end('{"errors":[{"message":"down"}]}');
      if (n === 1) return void res.socket?.destroy(); // connection reset, no answer
      acceptAll(req, res);
    }, { flushAt: 10 });
    endSpans(tt, 3);
    await tt.flush();
    expect(stub.requests).toHaveLength(3);
    // The same span ids every attempt: the server's idempotency makes retries safe.
    const attempts = stub.requests.map((r) => r.json().variables.spans.map((s: { id: string }) => s.id));
    expect(attempts[1]).toEqual(attempts[0]);
    expect(attempts[2]).toEqual(attempts[0]);
    expect(errors).toEqual([]);
    expect(tt.stats()).toMatchObject({ sent: 3, failed: 0 });
  });

  it('honours Retry-After on 429', async () => {
    const { tt, stub } = await setup((req, res, n) => {
      if (n === 0) return void res.writeHead(429, { 'retry-after': '1' }).end('{"errors":[{"message":"slow down","extensions":{"code":"RATE_LIMITED"}}]}');
      acceptAll(req, res);
    });
    tt.startSpan({ name: 'x' }).end();
    const started = Date.now();
    await tt.flush();
    const waited = Date.now() - started;
    expect(stub.requests).toHaveLength(2);
    expect(waited).toBeGreaterThanOrEqual(950); // not the 10–40 ms backoff
  });

  it('does not retry a 4xx validation error; the spans are reported through onError', async () => {
    const { tt, stub, errors } = await setup((_req, res) => {
      res.writeHead(400, { 'content-type': 'application/json' }).end('{"errors":[{"message":"Variable \\"$spans\\" got invalid value","extensions":{"code":"BAD_USER_INPUT"}}]}');
    });
    const span = tt.startSpan({ name: 'bad' });
    span.end();
    await tt.flush();
    expect(stub.requests).toHaveLength(1);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ code: 'BATCH_REJECTED', status: 400 });
    expect(errors[0]!.spans.map((s) => s.id)).toEqual([span.id]);
    expect(errors[0]!.message).not.toContain('ttk_test');
  });

  it('does not retry a GraphQL UNAUTHENTICATED answer (HTTP 200)', async () => {
    const { tt, stub, errors } = await setup((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"data":null,"errors":[{"message":"Invalid API key","extensions":{"code":"UNAUTHENTICATED"}}]}');
    });
    endSpans(tt, 2);
    await tt.flush();
    expect(stub.requests).toHaveLength(1);
    expect(errors.map((e) => e.code)).toEqual(['BATCH_REJECTED']);
  });

  it('reports the spans the server rejected one by one', async () => {
    const { tt, errors } = await setup((req, res) => {
      const spans = req.json().variables.spans as { id: string }[];
      res.writeHead(200, { 'content-type': 'application/json' }).end(
        JSON.stringify({ data: { ingest: { accepted: spans.length - 1, rejected: [{ index: 1, id: spans[1]!.id, reason: 'endTime before startTime' }] } } }),
      );
    });
    const spans = [tt.startSpan({ name: 'a' }), tt.startSpan({ name: 'b' })];
    for (const s of spans) s.end();
    await tt.flush();
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ code: 'SPANS_REJECTED', spans: [{ id: spans[1]!.id, reason: 'endTime before startTime' }] });
    expect(tt.stats()).toMatchObject({ sent: 1, failed: 1 });
  });

  it('halves a batch the server finds too large', async () => {
    const { tt, stub, errors } = await setup((req, res) => {
      if (req.json().variables.spans.length > 2) return void res.writeHead(413).end('{"errors":[{"message":"too large"}]}');
      acceptAll(req, res);
    }, { flushAt: 8 });
    endSpans(tt, 8);
    await tt.flush();
    expect(errors).toEqual([]);
    const accepted = stub.requests.filter((r) => r.json().variables.spans.length <= 2).flatMap((r) => r.json().variables.spans.map((s: { name: string }) => s.name));
    expect(accepted.sort()).toEqual(['s0', 's1', 's2', 's3', 's4', 's5', 's6', 's7']);
    expect(tt.stats()).toMatchObject({ sent: 8, failed: 0 });
  });

  it('gives up after maxRetries and says so', async () => {
    const { tt, stub, errors } = await setup((_req, res) => void res.writeHead(502).end(), { maxRetries: 2 });
    tt.startSpan({ name: 'lost' }).end();
    await tt.flush();
    expect(stub.requests).toHaveLength(3);
    expect(errors.map((e) => e.code)).toEqual(['SEND_FAILED']);
    expect(errors[0]!.status).toBe(502);
  });

  it('backoff grows exponentially with jitter, capped; Retry-After parses seconds and dates', () => {
    expect(backoffDelay(0, 100, 10_000, () => 0)).toBe(50);
    expect(backoffDelay(3, 100, 10_000, () => 1)).toBe(800);
    expect(backoffDelay(20, 100, 10_000, () => 1)).toBe(10_000);
    expect(parseRetryAfter('2')).toBe(2000);
    expect(parseRetryAfter(new Date(Date.now() + 3000).toUTCString())).toBeGreaterThan(1500);
    expect(parseRetryAfter('soon')).toBeUndefined();
  });
});

describe('bounded queue', () => {
  it('drops spans beyond maxQueueSize, counts them, reports once, and sends the rest when the server is back', async () => {
    let down = true;
    const { tt, stub, errors } = await setup((req, res) => {
      if (down) return void res.writeHead(503).end();
      acceptAll(req, res);
    }, { maxQueueSize: 5, flushAt: 5, retryDelayMs: 20, maxRetryDelayMs: 20, maxRetries: 100 });
    endSpans(tt, 8);
    expect(tt.stats()).toMatchObject({ queued: 5, dropped: 3 });
    expect(errors.map((e) => e.code)).toEqual(['QUEUE_FULL']);
    await new Promise((r) => setTimeout(r, 60));
    down = false;
    await tt.flush();
    expect(tt.stats()).toMatchObject({ queued: 0, sent: 5, dropped: 3 });
    expect([...new Set(sentSpans(stub).map((s) => s.name))]).toEqual(['s0', 's1', 's2', 's3', 's4']);
    expect(errors.map((e) => e.code)).toEqual(['QUEUE_FULL']);
  });

  it('shutdown gives up at its deadline instead of hanging on a dead server', async () => {
    const { tt, errors } = await setup((_req, res) => void res.writeHead(503).end(), { retryDelayMs: 1000, maxRetryDelayMs: 1000 });
    endSpans(tt, 2);
    const started = Date.now();
    await tt.shutdown({ timeoutMs: 300 });
    expect(Date.now() - started).toBeLessThan(1500);
    expect(errors.map((e) => e.code)).toContain('SEND_FAILED');
    tt.startSpan({ name: 'after shutdown' }).end();
    expect(tt.stats().queued).toBe(0);
  });
});
