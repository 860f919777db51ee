import OpenAI from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { observeOpenAI, Tokentrace } from '../src/index.js';
import { acceptAll, sentSpans, startHttpStub, type HttpStub } from './helpers/http-stub.js';
import { chatChunks, chatCompletion, FIRST_TOKEN_DELAY_MS, responseEvents, responseObject, startOpenAIStub } from './helpers/openai-stub.js';

// observeOpenAI with the real `openai` package against a local OpenAI-compatible server:
// the app gets exactly what it would get without us, and the span has output, usage, TTFT.

let openaiStub: HttpStub;
let ingest: HttpStub;
let tt: Tokentrace;
let client: OpenAI;

beforeAll(async () => {
  openaiStub = await startOpenAIStub();
  ingest = await startHttpStub(acceptAll);
  tt = new Tokentrace({ apiKey: 'ttk_test', endpoint: `${ingest.url}/graphql`, allowInsecureLocalhost: true, onError: (e) => console.error(e) });
  client = observeOpenAI(new OpenAI({ apiKey: 'sk-test', baseURL: `${openaiStub.url}/v1`, maxRetries: 0 }), { tokentrace: tt });
});

afterAll(async () => {
  await tt.shutdown();
  await openaiStub.close();
  await ingest.close();
});

beforeEach(() => {
  ingest.requests.length = 0;
});

async function recorded(name = 'openai.chat.completions') {
  await tt.flush();
  const spans = sentSpans(ingest).filter((s) => s.name === name);
  expect(spans).toHaveLength(1);
  return spans[0];
}

const messages = [{ role: 'user' as const, content: 'Capital of France?' }];

describe('chat.completions.create', () => {
  it('non-streamed: unchanged result, span with input, output and usage', async () => {
    const result = await client.chat.completions.create({ model: 'gpt-4o-mini', messages, temperature: 0.2 });
    expect(result).toEqual(chatCompletion);
    const span = await recorded();
    expect(span).toMatchObject({
      kind: 'GENERATION',
      provider: 'openai',
      model: 'gpt-4o-mini',
      status: 'OK',
      input: messages,
      output: chatCompletion.choices[0]!.message,
      promptTokens: 14,
      completionTokens: 7,
      // usage.prompt_tokens_details.cached_tokens and completion_tokens_details.reasoning_tokens
      cacheReadTokens: 8,
      reasoningTokens: 2,
      metadata: { temperature: 0.2, finish_reason: 'stop' },
    });
    expect(span).not.toHaveProperty('cacheWriteTokens');
    expect(span.completionStartTime).toBeUndefined();
  });

  it('asResponse(): the app gets the unread Response, and the span still ends (no output)', async () => {
    const response = await client.chat.completions.create({ model: 'gpt-4o-mini', messages }).asResponse();
    expect(await response.json()).toEqual(chatCompletion);
    const span = await recorded();
    expect(span).toMatchObject({ kind: 'GENERATION', model: 'gpt-4o-mini', status: 'OK', input: messages });
    expect(span.output).toBeUndefined();
  });

  it('keeps the APIPromise helpers working (withResponse)', async () => {
    const promise = client.chat.completions.create({ model: 'gpt-4o-mini', messages });
    const { data, response } = await promise.withResponse();
    expect(data).toEqual(chatCompletion);
    expect(response.headers.get('x-request-id')).toBe('req_chat');
    expect((await recorded()).promptTokens).toBe(14);
  });

  it('streamed with include_usage: every chunk unchanged, output accumulated, usage and time to first token', async () => {
    const started = Date.now();
    const stream = await client.chat.completions.create({ model: 'gpt-4o-mini', messages, stream: true, stream_options: { include_usage: true } });
    const received: unknown[] = [];
    for await (const c of stream) received.push(c);
    expect(received).toEqual(chatChunks);
    const span = await recorded();
    expect(span).toMatchObject({ output: { role: 'assistant', content: 'Paris.' }, promptTokens: 11, completionTokens: 3, status: 'OK', metadata: { stream: true, finish_reason: 'stop' } });
    // Reported as zero in the usage chunk: zero, not unknown.
    expect(span).toMatchObject({ cacheReadTokens: 0, reasoningTokens: 0 });
    const ttft = Date.parse(span.completionStartTime) - Date.parse(span.startTime);
    expect(ttft).toBeGreaterThanOrEqual(FIRST_TOKEN_DELAY_MS - 5);
    expect(Date.parse(span.startTime)).toBeGreaterThanOrEqual(started - 1);
    expect(Date.parse(span.endTime)).toBeGreaterThanOrEqual(Date.parse(span.completionStartTime));
  });

  it('streamed without include_usage: sends no token counts, so the server reads "usage not reported", not 0', async () => {
    const stream = await client.chat.completions.create({ model: 'gpt-4o-mini', messages, stream: true });
    for await (const _ of stream) void _;
    const span = await recorded();
    expect(span).toMatchObject({ output: { role: 'assistant', content: 'Paris.' }, status: 'OK' });
    for (const field of ['promptTokens', 'completionTokens', 'cacheReadTokens', 'cacheWriteTokens', 'reasoningTokens']) expect(span).not.toHaveProperty(field);
  });

  it('an early break still records the span with what was streamed', async () => {
    const stream = await client.chat.completions.create({ model: 'gpt-4o-mini', messages, stream: true });
    let n = 0;
    for await (const _ of stream) if (++n === 2) break;
    const span = await recorded();
    expect(span.output).toEqual({ role: 'assistant', content: 'Par' });
    expect(span.completionStartTime).toBeDefined();
  });

  it('an API error reaches the app unchanged and marks the span ERROR', async () => {
    const error = await client.chat.completions.create({ model: 'broken', messages }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.InternalServerError);
    expect((error as Error).message).toContain('upstream exploded');
    const span = await recorded();
    expect(span.status).toBe('ERROR');
    expect(span.statusMessage).toContain('upstream exploded');
  });

  it('nests under the active span', async () => {
    await tt.trace({ name: 'qa' }, async () => {
      await client.chat.completions.create({ model: 'gpt-4o-mini', messages });
    });
    const span = await recorded();
    const root = sentSpans(ingest).find((s) => s.name === 'qa');
    expect(span).toMatchObject({ parentId: root.id, traceId: root.traceId });
  });
});

describe('responses.create', () => {
  it('non-streamed: unchanged result (output_text helper included), output and usage', async () => {
    const result = await client.responses.create({ model: 'gpt-4o-mini', input: 'Say hello in French', instructions: 'Be brief' });
    expect(result).toMatchObject(responseObject);
    expect(result.output_text).toBe('Bonjour!');
    const span = await recorded('openai.responses');
    expect(span).toMatchObject({
      model: 'gpt-4o-mini',
      input: { instructions: 'Be brief', input: 'Say hello in French' },
      output: responseObject.output,
      promptTokens: 9,
      completionTokens: 2,
      // usage.input_tokens_details.cached_tokens and output_tokens_details.reasoning_tokens
      cacheReadTokens: 4,
      reasoningTokens: 1,
      status: 'OK',
    });
  });

  it('streamed: events unchanged, output from the completed response, usage and time to first token', async () => {
    const stream = await client.responses.create({ model: 'gpt-4o-mini', input: 'Say hello in French', stream: true });
    const received: unknown[] = [];
    for await (const event of stream) received.push(event);
    expect(received).toEqual(responseEvents);
    const span = await recorded('openai.responses');
    expect(span).toMatchObject({ output: responseObject.output, promptTokens: 8, completionTokens: 3, cacheReadTokens: 5, reasoningTokens: 2, status: 'OK' });
    expect(Date.parse(span.completionStartTime) - Date.parse(span.startTime)).toBeGreaterThanOrEqual(FIRST_TOKEN_DELAY_MS - 5);
  });
});

describe('observeOpenAI', () => {
  it('returns the same client, and wrapping twice records once', async () => {
    expect(observeOpenAI(client, { tokentrace: tt })).toBe(client);
    await client.chat.completions.create({ model: 'gpt-4o-mini', messages });
    await recorded();
  });
});
