import protojson from 'protobufjs/ext/protojson.js';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ExportTraceServiceRequest, ExportTraceServiceResponse, RpcStatus } from '../services/ingest/otlp/otlp-schema';
import { newSpanId, newTraceId, otlpRequest, otlpSpan, startOtlpServer, type OtlpServer } from '../testing/otlp';
import { createTestApp, type TestApp, type TestClient } from '../testing/test-app';

// POST /v1/traces as the OTLP/HTTP contract states it: both encodings, gzip, the answer in the
// request's own encoding, partialSuccess for refused spans, and a clear 4xx — never a 500 — for
// every kind of bad request, with the server answering the next one.

const TRACE = `query($p: ID!, $id: ID!) {
  project(id: $p) { trace(id: $id) { id name spanCount spans { id parentId kind name model promptTokens completionTokens costUsd input output } } }
}`;

/** The request's spans as protobuf bytes, through the schema (exporters' own bytes are tested elsewhere). */
function asProtobuf(request: unknown): Uint8Array {
  const hexToBase64 = JSON.parse(JSON.stringify(request), (key, value) =>
    ['traceId', 'spanId', 'parentSpanId'].includes(key) && typeof value === 'string' ? Buffer.from(value, 'hex').toString('base64') : value,
  );
  return ExportTraceServiceRequest.encode(protojson.fromJson(ExportTraceServiceRequest, hexToBase64)).finish();
}

// Every case twice: the body read on the server's thread, and read in the OTLP read worker
// (otlp-read-pool.ts), which takes large bodies and here every body.
describe.each([
  { reader: 'on the server thread', otlpReadMinBytes: Number.POSITIVE_INFINITY },
  { reader: 'in the OTLP read worker', otlpReadMinBytes: 0 },
])('POST /v1/traces, read $reader', ({ otlpReadMinBytes }) => {
  let t: TestApp;
  let server: OtlpServer;
  let secret: string;
  let owner: TestClient;
  let projectId: string;
  beforeAll(async () => {
    t = await createTestApp({ TOKENTRACE_MAX_BODY_BYTES: String(256 * 1024), TOKENTRACE_INGEST_MAX_SPANS: '50' }, { otlpReadMinBytes });
    if (otlpReadMinBytes === 0) expect(await t.app.deps.otlpReadPool!.warm()).toBe(true);
    server = await startOtlpServer(t);
    ({ secret, owner, projectId } = await t.projectWithKey());
  });
  afterAll(async () => {
    await server.close();
    await t.close();
  });

  const readTrace = async (traceId: string) => (await owner.gql(TRACE, { p: projectId, id: traceId })).data.project.trace;
  const stillAnswers = async () => expect((await fetch(`${server.url}/healthz`)).status).toBe(200);

  const chat = (traceId: string, spanId: string, parentSpanId?: string) =>
    otlpSpan({
      traceId,
      spanId,
      parentSpanId,
      name: 'chat gpt-4o-mini',
      attributes: {
        'gen_ai.operation.name': 'chat',
        'gen_ai.request.model': 'gpt-4o-mini',
        'gen_ai.usage.input_tokens': 1000,
        'gen_ai.usage.output_tokens': 500,
        'gen_ai.input.messages': JSON.stringify([{ role: 'user', parts: [{ type: 'text', content: 'Where is my order?' }] }]),
        'gen_ai.output.messages': JSON.stringify([{ role: 'assistant', parts: [{ type: 'text', content: 'On its way.' }] }]),
      },
    });

  for (const encoding of ['json', 'protobuf'] as const) {
    for (const gzip of [false, true]) {
      it(`stores an OTLP/${encoding} request${gzip ? ' sent gzipped' : ''} and answers in ${encoding}`, async () => {
        const traceId = newTraceId();
        const root = newSpanId();
        const child = newSpanId();
        const request = otlpRequest([otlpSpan({ traceId, spanId: root, name: 'support-agent', attributes: { 'gen_ai.operation.name': 'invoke_agent' } }), chat(traceId, child, root)]);
        const res = await server.post(encoding === 'json' ? request : asProtobuf(request), { secret, gzip });
        expect(res.status).toBe(200);
        expect(res.headers.get('content-type')).toBe(encoding === 'json' ? 'application/json' : 'application/x-protobuf');
        if (encoding === 'json') expect(res.json()).toEqual({});
        else expect(ExportTraceServiceResponse.toObject(ExportTraceServiceResponse.decode(res.body))).toEqual({});

        const trace = await readTrace(traceId);
        expect(trace).toMatchObject({ id: traceId, name: 'support-agent', spanCount: 2 });
        const generation = trace.spans.find((s: { id: string }) => s.id === child);
        expect(generation).toMatchObject({
          parentId: root,
          kind: 'GENERATION',
          model: 'gpt-4o-mini',
          promptTokens: 1000,
          completionTokens: 500,
          input: { messages: [{ role: 'user', content: 'Where is my order?' }] },
          output: { role: 'assistant', content: 'On its way.' },
        });
        expect(generation.costUsd).toBeCloseTo((1000 * 0.15 + 500 * 0.6) / 1e6, 12);
      });
    }
  }

  it('refuses bad spans by partialSuccess, says why, and stores the others', async () => {
    const traceId = newTraceId();
    const good = newSpanId();
    const request = otlpRequest([
      otlpSpan({ traceId, spanId: good, name: 'fine' }),
      otlpSpan({ traceId, spanId: 'abc', name: 'short id' }),
      otlpSpan({ traceId, name: 'backwards', startMs: Date.parse('2026-11-20T10:00:05Z'), endMs: Date.parse('2026-11-20T10:00:01Z') }),
      otlpSpan({ traceId, name: 'greedy', attributes: { 'gen_ai.usage.input_tokens': 5_000_000_000 } }),
      otlpSpan({ traceId: '00'.repeat(16), name: 'zero trace' }),
    ]);
    for (const encoding of ['json', 'protobuf'] as const) {
      const res = await server.post(encoding === 'json' ? request : asProtobuf(request), { secret });
      expect(res.status).toBe(200);
      const body = encoding === 'json' ? res.json() : ExportTraceServiceResponse.toObject(ExportTraceServiceResponse.decode(res.body), { longs: String });
      expect(body.partialSuccess.rejectedSpans).toBe('4');
      const message: string = body.partialSuccess.errorMessage;
      expect(message).toMatch(/^4 of 5 spans rejected/);
      expect(message).toMatch(/\[1\].*spanId must be 8 bytes/);
      expect(message).toMatch(/\[2\].*endTime is before startTime/);
      expect(message).toMatch(/\[3\].*promptTokens is above the maximum of 100,000,000/);
      expect(message).toMatch(/\[4\].*traceId must be 16 bytes/);
    }
    expect((await readTrace(traceId)).spans.map((s: { id: string }) => s.id)).toEqual([good]);
  });

  it('takes int64 times and counts as numbers too, and ids in upper case', async () => {
    const traceId = newTraceId();
    const spanId = newSpanId();
    const request = otlpRequest([otlpSpan({ traceId: traceId.toUpperCase(), spanId, attributes: { 'gen_ai.usage.input_tokens': 7 } })]);
    const text = JSON.stringify(request).replace(/"(startTimeUnixNano|endTimeUnixNano|intValue)":"(\d+)"/g, '"$1":$2');
    expect(text).toContain('"intValue":7');
    const res = await server.post(text, { secret });
    expect(res.status).toBe(200);
    expect(res.json()).toEqual({});
    expect((await readTrace(traceId)).spans[0]).toMatchObject({ id: spanId, promptTokens: 7 });
  });

  describe('refuses, with a google.rpc.Status in the request encoding', () => {
    const status = (res: Awaited<ReturnType<OtlpServer['post']>>, encoding: 'json' | 'protobuf' = 'json') =>
      encoding === 'json' ? res.json() : RpcStatus.toObject(RpcStatus.decode(res.body));

    it('401 without an ingest key, or with a wrong one; 403 for a personal access token', async () => {
      const request = otlpRequest([otlpSpan()]);
      const none = await server.post(request);
      expect(none.status).toBe(401);
      expect(status(none)).toEqual({ code: 16, message: expect.stringMatching(/Authorization: Bearer ttk_/) });
      expect((await server.post(asProtobuf(request), { secret: 'ttk_nope' })).status).toBe(401);
      expect(status(await server.post(asProtobuf(request), { secret: 'ttk_nope' }), 'protobuf')).toMatchObject({ code: 16 });
      const pat = await owner.gql('mutation { createPersonalAccessToken(name: "ci", readOnly: false) { secret } }');
      const patRes = await server.post(request, { secret: pat.data.createPersonalAccessToken.secret });
      expect(patRes.status).toBe(403);
      expect(status(patRes)).toMatchObject({ code: 7, message: expect.stringMatching(/ingest key/) });
      // A session cookie is not a credential here.
      expect((await server.post(request, { headers: { cookie: owner.cookie! } })).status).toBe(401);
    });

    it('415 for another content type or content encoding', async () => {
      const res = await server.post('hello', { secret, contentType: 'text/plain' });
      expect(res.status).toBe(415);
      expect(status(res).message).toMatch(/application\/x-protobuf or application\/json/);
      const br = await server.post(otlpRequest([otlpSpan()]), { secret, headers: { 'content-encoding': 'br' } });
      expect(br.status).toBe(415);
    });

    it('400 for garbage bytes, broken JSON, a wrong shape or broken gzip', async () => {
      const garbage = await server.post(new Uint8Array([0xff, 0xfe, 0x00, 0x13, 0x37, 0x42, 0x99, 0x07]), { secret });
      expect(garbage.status).toBe(400);
      expect(status(garbage, 'protobuf')).toMatchObject({ code: 3, message: expect.stringMatching(/not an OTLP ExportTraceServiceRequest/) });
      expect((await server.post('{"resourceSpans": [', { secret })).status).toBe(400);
      expect((await server.post({ resourceSpans: 'nope' }, { secret })).status).toBe(400);
      expect((await server.post(Buffer.from('not gzip at all'), { secret, headers: { 'content-encoding': 'gzip' }, contentType: 'application/json' })).status).toBe(400);
      await stillAnswers();
    });

    it('413 for a body over the limit, announced or streamed, and for a gzip bomb', async () => {
      const big = otlpRequest([otlpSpan({ attributes: { blob: 'x'.repeat(300 * 1024) } })]);
      const res = await server.post(big, { secret });
      expect(res.status).toBe(413);
      expect(status(res).message).toMatch(/larger than 262144 bytes/);
      // 64 MiB of zeros gzip to ~64 KiB: inflating stops at the limit.
      const bomb = gzipSync(Buffer.alloc(64 * 1024 * 1024));
      expect(bomb.length).toBeLessThan(256 * 1024);
      const bombed = await server.post(bomb, { secret, contentType: 'application/x-protobuf', headers: { 'content-encoding': 'gzip' } });
      expect(bombed.status).toBe(413);
      // Streamed without a Content-Length: the limit holds while reading.
      const chunked = await fetch(`${server.url}/v1/traces`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${secret}` },
        body: new ReadableStream({
          start(controller) {
            for (let i = 0; i < 40; i++) controller.enqueue(new Uint8Array(16 * 1024).fill(0x20));
            controller.close();
          },
        }),
        duplex: 'half',
      } as RequestInit);
      expect(chunked.status).toBe(413);
      await stillAnswers();
    });

    it('413 for more spans than a request may carry', async () => {
      const res = await server.post(otlpRequest(Array.from({ length: 51 }, () => otlpSpan())), { secret });
      expect(res.status).toBe(413);
      expect(status(res).message).toMatch(/at most 50 spans/);
    });

    it('405 for another method', async () => {
      const res = await fetch(`${server.url}/v1/traces`, { headers: { 'content-type': 'application/json' } });
      expect(res.status).toBe(405);
      expect(res.headers.get('allow')).toBe('POST');
    });
  });

  it('survives hostile spans: 10,000 attributes, deep nesting, and answers every request after', async () => {
    const traceId = newTraceId();
    const many = Object.fromEntries(Array.from({ length: 10_000 }, (_, i) => [`k${i}`, i]));
    const wide = await server.post(asProtobuf(otlpRequest([otlpSpan({ traceId, name: 'wide', attributes: many })])), { secret });
    expect(wide.status).toBe(200);
    expect(ExportTraceServiceResponse.toObject(ExportTraceServiceResponse.decode(wide.body))).toEqual({});
    const meta = (await owner.gql(`query($p: ID!, $id: ID!) { project(id: $p) { trace(id: $id) { spans { metadata } } } }`, { p: projectId, id: traceId }))
      .data.project.trace.spans[0].metadata;
    expect(meta['otel.dropped_attributes_count']).toBeGreaterThan(9_000);

    // Written as text: JSON.stringify itself would run out of stack at this depth.
    const levels = 5_000;
    const deep = '{"kvlistValue":{"values":[{"key":"k","value":'.repeat(levels) + '{"stringValue":"bottom"}' + '}]}}'.repeat(levels);
    const nested = JSON.stringify(otlpRequest([otlpSpan({ attributes: { deep: 'PLACEHOLDER' } })])).replace('{"stringValue":"PLACEHOLDER"}', deep);
    expect(nested.length).toBeLessThan(256 * 1024);
    const res = await server.post(nested, { secret });
    expect(res.status).toBe(400);
    expect(res.json().message).toMatch(/not an OTLP ExportTraceServiceRequest/);
    await stillAnswers();
  });

  it('read the bodies where it says', () => {
    const { read, handedBack } = t.app.deps.otlpReadPool!.stats();
    expect(handedBack).toBe(0);
    if (otlpReadMinBytes === 0) expect(read).toBeGreaterThan(10);
    else expect(read).toBe(0);
  });
});
