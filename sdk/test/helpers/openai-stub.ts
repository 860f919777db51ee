import type { ServerResponse } from 'node:http';
import { startHttpStub, type HttpStub, type RecordedRequest } from './http-stub.js';

// A local OpenAI-compatible server: /v1/chat/completions and /v1/responses, plain JSON or
// server-sent events, with a pause before the first chunk so time to first token is visible.

export const FIRST_TOKEN_DELAY_MS = 60;

export const chatCompletion = {
  id: 'chatcmpl-1',
  object: 'chat.completion',
  created: 1_760_000_000,
  model: 'gpt-4o-mini',
  choices: [{ index: 0, message: { role: 'assistant', content: 'Paris is the capital of France.', refusal: null }, finish_reason: 'stop', logprobs: null }],
  usage: {
    prompt_tokens: 14,
    completion_tokens: 7,
    total_tokens: 21,
    prompt_tokens_details: { cached_tokens: 8, audio_tokens: 0 },
    completion_tokens_details: { reasoning_tokens: 2, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 },
  },
};

const chunk = (delta: object, finish: string | null = null) => ({
  id: 'chatcmpl-2',
  object: 'chat.completion.chunk',
  created: 1_760_000_000,
  model: 'gpt-4o-mini',
  choices: [{ index: 0, delta, finish_reason: finish, logprobs: null }],
});

export const chatChunks = [
  chunk({ role: 'assistant', content: '' }),
  chunk({ content: 'Par' }),
  chunk({ content: 'is' }),
  chunk({ content: '.' }),
  chunk({}, 'stop'),
  { id: 'chatcmpl-2', object: 'chat.completion.chunk', created: 1_760_000_000, model: 'gpt-4o-mini', choices: [], usage: { prompt_tokens: 11, completion_tokens: 3, total_tokens: 14, prompt_tokens_details: { cached_tokens: 0 }, completion_tokens_details: { reasoning_tokens: 0 } } },
];

const responseOutput = [{ type: 'message', id: 'msg_1', status: 'completed', role: 'assistant', content: [{ type: 'output_text', text: 'Bonjour!', annotations: [] }] }];

export const responseObject = {
  id: 'resp_1',
  object: 'response',
  created_at: 1_760_000_000,
  status: 'completed',
  model: 'gpt-4o-mini',
  output: responseOutput,
  usage: { input_tokens: 9, input_tokens_details: { cached_tokens: 4 }, output_tokens: 2, output_tokens_details: { reasoning_tokens: 1 }, total_tokens: 11 },
};

export const responseEvents = [
  { type: 'response.created', sequence_number: 0, response: { ...responseObject, status: 'in_progress', output: [], usage: null } },
  { type: 'response.output_text.delta', sequence_number: 1, item_id: 'msg_1', output_index: 0, content_index: 0, delta: 'Bon' },
  { type: 'response.output_text.delta', sequence_number: 2, item_id: 'msg_1', output_index: 0, content_index: 0, delta: 'jour!' },
  { type: 'response.completed', sequence_number: 3, response: { ...responseObject, usage: { input_tokens: 8, input_tokens_details: { cached_tokens: 5 }, output_tokens: 3, output_tokens_details: { reasoning_tokens: 2 }, total_tokens: 11 } } },
];

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function sendEvents(res: ServerResponse, events: object[], named: boolean, done: boolean): Promise<void> {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  await sleep(FIRST_TOKEN_DELAY_MS);
  for (const event of events) {
    const type = (event as { type?: string }).type;
    res.write(`${named && type ? `event: ${type}\n` : ''}data: ${JSON.stringify(event)}\n\n`);
    await sleep(5);
  }
  if (done) res.write('data: [DONE]\n\n');
  res.end();
}

export function startOpenAIStub(): Promise<HttpStub> {
  return startHttpStub(async (req: RecordedRequest, res) => {
    const body = req.json();
    if (body.model === 'broken') {
      res.writeHead(500, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { message: 'upstream exploded', type: 'server_error' } }));
      return;
    }
    if (req.url === '/v1/chat/completions') {
      // Like OpenAI: the usage chunk comes only when the request asks for it.
      if (body.stream) return sendEvents(res, body.stream_options?.include_usage ? chatChunks : chatChunks.slice(0, -1), false, true);
      res.writeHead(200, { 'content-type': 'application/json', 'x-request-id': 'req_chat' }).end(JSON.stringify(chatCompletion));
      return;
    }
    if (req.url === '/v1/responses') {
      if (body.stream) return sendEvents(res, responseEvents, true, false);
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(responseObject));
      return;
    }
    res.writeHead(404).end('{}');
  });
}
