import pino from 'pino';
import protojson from 'protobufjs/ext/protojson.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seededRandom } from '../../../../plugins/core/seeded-random';
import { BASE_MS, otlpRequest, otlpSpan, type AttributeValue, type SpanSpec } from '../../../testing/otlp';
import { contentValue, sourceTextOf, UnparsedContent } from '../content-source-text';
import { readSpans, type SpanReading } from '../read-spans';
import { decodeOtlpRequest, OtlpDecodeError, type OtlpEncoding } from './decode-otlp';
import { mapOtlpSpan } from './map-otlp-span';
import { createOtlpReadPool, type OtlpReadPool } from './otlp-read-pool';
import { ExportTraceServiceRequest } from './otlp-schema';

// A body read in the OTLP read worker must give what the server's own thread gives: the same
// readings, in order — the same rejections by index with the same reasons, the same span fields —
// and content whose JSON text, which is what gets sealed, is the text of the value the server's
// thread would have made. Checked over seeded random requests mixing the conventions the map stage
// reads, good and bad spans, awkward text and numbers, in both encodings.

const NOW = BASE_MS + 60_000;

function pick<T>(next: () => number, list: readonly T[]): T {
  return list[Math.floor(next() * list.length)]!;
}

const TEXTS = ['Where is my order?', 'ünïcödé ✓ 🚀', 'line\nbreak "quoted" \\ back', 'nul \u0000 inside', '', 'x'.repeat(3000), '{"looks":"like json"}', '[1, 2'];

function text(next: () => number): string {
  return pick(next, TEXTS) + (next() < 0.5 ? ` ${Math.floor(next() * 1000)}` : '');
}

function messages(next: () => number, roles: string[]) {
  return roles.map((role) => ({ role, parts: next() < 0.8 ? [{ type: 'text', content: text(next) }] : [{ type: 'image', url: 'https://example.com/a.png' }] }));
}

/** The attributes of one span, in one of the conventions (or none). */
function conventionAttributes(next: () => number): Record<string, AttributeValue> {
  switch (Math.floor(next() * 7)) {
    case 0:
      return {
        'gen_ai.operation.name': 'chat',
        'gen_ai.request.model': pick(next, ['gpt-4o-mini', 'claude-sonnet-4', 'unknown-model']),
        'gen_ai.usage.input_tokens': Math.floor(next() * 5000),
        'gen_ai.usage.output_tokens': Math.floor(next() * 900),
        'gen_ai.system_instructions': JSON.stringify([{ type: 'text', content: text(next) }]),
        'gen_ai.input.messages': JSON.stringify(messages(next, ['user', 'assistant', 'user'])),
        'gen_ai.output.messages': JSON.stringify(messages(next, ['assistant'])),
        'gen_ai.tool.definitions': next() < 0.3 ? JSON.stringify([{ name: 'lookup', parameters: { type: 'object' } }]) : 'not json',
      };
    case 1:
      return {
        'openinference.span.kind': 'LLM',
        'llm.model_name': 'gpt-4o',
        'llm.input_messages.0.message.role': 'system',
        'llm.input_messages.0.message.content': text(next),
        'llm.input_messages.1.message.role': 'user',
        'llm.input_messages.1.message.contents.0.message_content.type': 'text',
        'llm.input_messages.1.message.contents.0.message_content.text': text(next),
        'llm.output_messages.0.message.role': 'assistant',
        'llm.output_messages.0.message.tool_calls.0.tool_call.function.name': 'lookup',
        'llm.output_messages.0.message.tool_calls.0.tool_call.function.arguments': '{"id":7}',
        'llm.token_count.prompt': Math.floor(next() * 100),
      };
    case 2:
      return { 'traceloop.span.kind': 'tool', 'gen_ai.prompt.0.role': 'user', 'gen_ai.prompt.0.content': text(next), 'gen_ai.completion.0.content': JSON.stringify({ ok: true }) };
    case 3:
      return { 'ai.operationId': 'ai.generateText', 'ai.prompt.messages': JSON.stringify([{ role: 'user', content: text(next) }]), 'ai.response.text': text(next) };
    case 4:
      return { 'input.value': text(next), 'input.mime_type': pick(next, ['text/plain', 'application/json']), 'output.value': JSON.stringify({ answer: text(next), n: next() }) };
    case 5:
      // Structured (not JSON-string) content: a kvlist with doubles, booleans and nulls in it.
      return { 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.call.arguments': { q: text(next), limit: 2.5, exact: true, none: null, list: [1, 'two', 3.25] } };
    default:
      return { 'http.method': 'GET', 'user.id': `user-${Math.floor(next() * 9)}`, 'session.id': 's1', 'tag.tags': ['a', 'b'], deep: { a: { b: { c: { d: 'e' } } } } };
  }
}

function randomSpan(next: () => number, i: number): SpanSpec {
  const spec: SpanSpec = { name: next() < 0.05 ? '' : `span ${i}`, attributes: conventionAttributes(next), startMs: BASE_MS + i * 10, endMs: BASE_MS + i * 10 + 500 };
  const bad = next();
  if (bad < 0.04) spec.endMs = BASE_MS - 1_000; // ends before it starts
  else if (bad < 0.08) spec.startMs = NOW + 3 * 86_400_000; // days in the future
  else if (bad < 0.1) spec.spanId = 'abc'; // not an OTel id
  if (next() < 0.3) {
    spec.events = [
      { name: 'gen_ai.user.message', attributes: { content: text(next) } },
      { name: 'gen_ai.choice', attributes: { message: JSON.stringify({ role: 'assistant', content: text(next) }), finish_reason: 'stop' } },
    ];
  }
  if (next() < 0.2) spec.status = { code: 2, message: text(next) };
  return spec;
}

/** The request as OTLP/JSON text or as protobuf bytes; doubles that JSON cannot spell go through protobuf. */
function encode(request: ReturnType<typeof otlpRequest>, encoding: OtlpEncoding): Buffer {
  const json = JSON.stringify(request);
  if (encoding === 'json') return Buffer.from(json);
  const base64Ids = JSON.parse(json, (key, value) =>
    ['traceId', 'spanId', 'parentSpanId'].includes(key) && typeof value === 'string' ? Buffer.from(value, 'hex').toString('base64') : value,
  );
  return Buffer.from(ExportTraceServiceRequest.encode(protojson.fromJson(ExportTraceServiceRequest, base64Ids)).finish());
}

function readHere(body: Buffer, encoding: OtlpEncoding): SpanReading[] | { decodeError: string } {
  try {
    return readSpans(decodeOtlpRequest(body, encoding), mapOtlpSpan, NOW);
  } catch (err) {
    if (err instanceof OtlpDecodeError) return { decodeError: err.message };
    throw err;
  }
}

/** What the server stores of a reading: content as its JSON text (the value's, once parsed), the rest as it is. */
function asStored(read: SpanReading[]) {
  return read.map((reading) => {
    if (!('span' in reading)) return reading;
    const { input, output, ...rest } = reading.span;
    const content = (raw: unknown) => {
      const value = contentValue(raw);
      return typeof value === 'object' && value !== null ? { json: JSON.stringify(value) } : { value };
    };
    return { ...rest, input: content(input), output: content(output) };
  });
}

describe('the OTLP read worker', () => {
  let pool: OtlpReadPool;
  beforeAll(async () => {
    pool = createOtlpReadPool(pino({ level: 'silent' }), { minBytes: 0 });
    expect(await pool.warm()).toBe(true);
  });
  afterAll(() => pool.close());

  for (const encoding of ['json', 'protobuf'] as const) {
    it(`reads 60 random OTLP/${encoding} requests as the server's thread does`, async () => {
      let valid = 0;
      let rejected = 0;
      for (let seed = 1; seed <= 60; seed++) {
        const next = seededRandom(seed);
        const spans = Array.from({ length: 1 + Math.floor(next() * 12) }, (_, i) => otlpSpan(randomSpan(next, i)));
        const body = encode(otlpRequest(spans, { 'service.name': 'checkout', seed }), encoding);
        const here = readHere(body, encoding);
        const there = await pool.read(body, encoding, NOW);
        expect(there, `seed ${seed}`).not.toBeNull();
        if ('decodeError' in here) {
          expect(there, `seed ${seed}`).toEqual(here);
          continue;
        }
        if (!there || !('read' in there)) throw new Error(`seed ${seed}: the worker did not read the body`);
        expect(asStored(there.read), `seed ${seed}`).toEqual(asStored(here));
        for (const reading of there.read) {
          if (!('span' in reading)) {
            rejected++;
            continue;
          }
          valid++;
          // Object content stays text until a stage needs it; the text is what the encode stage
          // seals, and the value parsed from it keeps it.
          for (const raw of [reading.span.input, reading.span.output]) {
            if (typeof raw !== 'object' || raw === null) continue;
            expect(raw).toBeInstanceOf(UnparsedContent);
            const value = contentValue(raw);
            expect(Buffer.from(sourceTextOf(raw)!).toString('utf8')).toBe(JSON.stringify(value));
            expect(sourceTextOf(value)).toBe(sourceTextOf(raw));
          }
        }
      }
      // The cases are varied: most spans valid, some rejected.
      expect(valid).toBeGreaterThan(200);
      expect(rejected).toBeGreaterThan(10);
    });
  }

  it('says a body is not an OTLP request with the message the server’s thread gives', async () => {
    for (const [body, encoding] of [
      [Buffer.from('{"resourceSpans": ['), 'json'],
      [Buffer.from([0xff, 0xff, 0xff, 0x0f, 0x01]), 'protobuf'],
    ] as const) {
      const here = readHere(body, encoding);
      expect(here).toHaveProperty('decodeError');
      expect(await pool.read(body, encoding, NOW)).toEqual(here);
    }
  });

  it('leaves a body under its size to the caller, and so every body until the worker is ready', async () => {
    const body = encode(otlpRequest([otlpSpan()]), 'protobuf');
    const small = createOtlpReadPool(pino({ level: 'silent' }), { minBytes: body.length + 1 });
    expect(await small.read(body, 'protobuf', NOW)).toBeNull();
    expect(small.stats()).toEqual({ read: 0, sealed: 0, handedBack: 0 });
    await small.close();

    const cold = createOtlpReadPool(pino({ level: 'silent' }), { minBytes: 0 });
    expect(await cold.read(body, 'protobuf', NOW)).toBeNull();
    expect(await cold.warm()).toBe(true);
    expect(await cold.read(body, 'protobuf', NOW)).toMatchObject({ read: [{ span: { name: 'span' } }] });
    expect(cold.stats()).toEqual({ read: 1, sealed: 0, handedBack: 1 });
    await cold.close();
  });

  it('leaves the caller its body: what was sent to the worker is a copy', async () => {
    const body = encode(otlpRequest([otlpSpan({ name: 'kept' })]), 'protobuf');
    const before = Buffer.from(body);
    await pool.read(body, 'protobuf', NOW);
    expect(body.equals(before)).toBe(true);
  });
});
