import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHttpServer } from '../../server/http/server';
import { createTestApp, type TestApp, type TestClient } from '../../server/testing/test-app';
import { observeOpenAI, Tokentrace } from '../src/index.js';
import type { HttpStub } from './helpers/http-stub.js';
import { startOpenAIStub } from './helpers/openai-stub.js';

// observeOpenAI → a real tokentrace server: cached and reasoning tokens arrive as span fields and
// cached input is billed at the cached rate; a stream without usage is "usage not reported", with
// unknown tokens and cost, never 0.

const SPANS = `query($p: ID!, $t: ID!) { project(id: $p) { trace(id: $t) { generationsWithoutUsage spans {
  name model promptTokens completionTokens cacheReadTokens cacheWriteTokens reasoningTokens costUsd usageStatus } } } }`;

let app: TestApp;
let server: Server;
let openaiStub: HttpStub;
let owner: TestClient;
let projectId: string;
let tt: Tokentrace;
let client: OpenAI;

beforeAll(async () => {
  app = await createTestApp();
  server = createHttpServer(app.app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  openaiStub = await startOpenAIStub();
  let secret: string;
  ({ owner, projectId, secret } = await app.projectWithKey());
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
  tt = new Tokentrace({ apiKey: secret, endpoint, allowInsecureLocalhost: true, onError: (e) => console.error(e) });
  client = observeOpenAI(new OpenAI({ apiKey: 'sk-test', baseURL: `${openaiStub.url}/v1`, maxRetries: 0 }), { tokentrace: tt });
});

afterAll(async () => {
  await tt.shutdown();
  await openaiStub.close();
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  await app.close();
});

async function storedSpans(run: () => Promise<void>) {
  let traceId = '';
  await tt.trace({ name: 'qa' }, async (root) => {
    traceId = root.traceId;
    await run();
  });
  await tt.flush();
  const res = await owner.gql(SPANS, { p: projectId, t: traceId });
  expect(res.errors).toBeUndefined();
  return (res.data.project.trace as { generationsWithoutUsage: number; spans: Record<string, unknown>[] });
}

const messages = [{ role: 'user' as const, content: 'Capital of France?' }];

describe('observeOpenAI through a real server', () => {
  it('stores cached and reasoning tokens of a chat completion and bills the cached part at the cached rate', async () => {
    const trace = await storedSpans(async () => {
      await client.chat.completions.create({ model: 'gpt-4o-mini', messages });
    });
    const generation = trace.spans.find((s) => s.name === 'openai.chat.completions')!;
    expect(generation).toMatchObject({ promptTokens: 14, completionTokens: 7, cacheReadTokens: 8, cacheWriteTokens: null, reasoningTokens: 2, usageStatus: 'REPORTED' });
    // gpt-4o-mini: 6 uncached × $0.15 + 8 cached × $0.075 + 7 output × $0.60, per million.
    expect(generation.costUsd).toBeCloseTo((6 * 0.15 + 8 * 0.075 + 7 * 0.6) / 1e6, 12);
  });

  it('stores the Responses API’s cached and reasoning tokens, streamed and not', async () => {
    const trace = await storedSpans(async () => {
      await client.responses.create({ model: 'gpt-4o-mini', input: 'Say hello in French' });
      const stream = await client.responses.create({ model: 'gpt-4o-mini', input: 'Say hello in French', stream: true });
      for await (const _ of stream) void _;
    });
    const generations = trace.spans.filter((s) => s.name === 'openai.responses');
    expect(generations).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ promptTokens: 9, completionTokens: 2, cacheReadTokens: 4, reasoningTokens: 1 }),
        expect.objectContaining({ promptTokens: 8, completionTokens: 3, cacheReadTokens: 5, reasoningTokens: 2 }),
      ]),
    );
  });

  it('a stream without include_usage is "usage not reported": tokens and cost unknown, not 0', async () => {
    const trace = await storedSpans(async () => {
      const stream = await client.chat.completions.create({ model: 'gpt-4o-mini', messages, stream: true });
      for await (const _ of stream) void _;
    });
    const generation = trace.spans.find((s) => s.name === 'openai.chat.completions')!;
    expect(generation).toMatchObject({
      model: 'gpt-4o-mini',
      promptTokens: null,
      completionTokens: null,
      cacheReadTokens: null,
      reasoningTokens: null,
      costUsd: null,
      usageStatus: 'NOT_REPORTED',
    });
    expect(trace.generationsWithoutUsage).toBe(1);
  });

  it('a stream with include_usage is priced from the usage chunk', async () => {
    const trace = await storedSpans(async () => {
      const stream = await client.chat.completions.create({ model: 'gpt-4o-mini', messages, stream: true, stream_options: { include_usage: true } });
      for await (const _ of stream) void _;
    });
    const generation = trace.spans.find((s) => s.name === 'openai.chat.completions')!;
    expect(generation).toMatchObject({ promptTokens: 11, completionTokens: 3, cacheReadTokens: 0, reasoningTokens: 0, usageStatus: 'REPORTED' });
    expect(generation.costUsd).toBeCloseTo((11 * 0.15 + 3 * 0.6) / 1e6, 12);
  });
});
