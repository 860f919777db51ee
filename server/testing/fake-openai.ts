import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

// A local stand-in for OpenAI's Chat Completions endpoint, enough for an agent with one tool: the
// first call asks for the tool, the call that carries the tool's result answers in text. Usage
// figures (with cached and reasoning tokens) are fixed so tests can check them.

export const FAKE_USAGE = {
  toolCall: { prompt_tokens: 120, completion_tokens: 30, prompt_tokens_details: { cached_tokens: 64 }, completion_tokens_details: { reasoning_tokens: 10 } },
  answer: { prompt_tokens: 200, completion_tokens: 40, prompt_tokens_details: { cached_tokens: 128 }, completion_tokens_details: { reasoning_tokens: 0 } },
};

export const FAKE_ANSWER = 'Order 1234 has shipped and arrives on Friday.';

export interface FakeOpenAI {
  baseURL: string;
  requests: unknown[];
  close(): Promise<void>;
}

export async function startFakeOpenAI(): Promise<FakeOpenAI> {
  const requests: unknown[] = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      if (req.method !== 'POST' || !req.url?.endsWith('/chat/completions')) {
        res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":{"message":"not found"}}');
        return;
      }
      const request = JSON.parse(body) as { model: string; messages: { role: string }[] };
      requests.push(request);
      const answered = request.messages.some((m) => m.role === 'tool');
      const message = answered
        ? { role: 'assistant', content: FAKE_ANSWER }
        : {
            role: 'assistant',
            content: null,
            tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'lookup_order', arguments: '{"order":"1234"}' } }],
          };
      res.writeHead(200, { 'content-type': 'application/json' }).end(
        JSON.stringify({
          id: answered ? 'chatcmpl-2' : 'chatcmpl-1',
          object: 'chat.completion',
          created: Math.floor(Date.now() / 1000),
          model: `${request.model}-2024-07-18`,
          choices: [{ index: 0, message, finish_reason: answered ? 'stop' : 'tool_calls' }],
          usage: answered ? FAKE_USAGE.answer : FAKE_USAGE.toolCall,
        }),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    baseURL: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`,
    requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
