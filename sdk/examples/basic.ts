// A trace with a retrieval step and an LLM call, sent to a local server.
//
//   npm start                                  # in the repository root: http://localhost:4000
//   # create a project and an ingest key in the dashboard, then:
//   TOKENTRACE_API_KEY=ttk_... npx tsx sdk/examples/basic.ts
//
// In your app, import from '@tokentrace/sdk' instead of '../src/index.js'.

import { Tokentrace } from '../src/index.js';

const tt = new Tokentrace({
  endpoint: process.env.TOKENTRACE_ENDPOINT ?? 'http://localhost:4000/graphql',
  allowInsecureLocalhost: true, // only for a loopback address; production endpoints must be https://
  piiRedaction: true, // the e-mail address below never leaves this process
});

async function retrieve(question: string): Promise<string[]> {
  return tt.span({ name: 'retrieve', kind: 'RETRIEVAL', input: { question } }, async (span) => {
    const docs = ['Orders ship within 2 days.', 'Refunds take 5 days.'];
    span.end({ output: docs });
    return docs;
  });
}

async function answer(question: string, docs: string[]): Promise<string> {
  return tt.generation(
    { name: 'answer', model: 'gpt-4o-mini', provider: 'openai', input: [{ role: 'system', content: docs.join('\n') }, { role: 'user', content: question }] },
    async (gen) => {
      const text = 'Your order ships within 2 days.'; // a real app calls its model here
      gen.end({ output: { role: 'assistant', content: text }, usage: { promptTokens: 42, completionTokens: 9 } });
      return text;
    },
  );
}

const traceId = await tt.trace({ name: 'support-question', userId: 'user-42', sessionId: 'session-1', tags: ['example'] }, async (trace) => {
  const question = 'When will my order arrive? Reply to ann.lee@example.com';
  const docs = await retrieve(question);
  await answer(question, docs);
  // A failing step: the span is marked ERROR with the message, the error reaches the caller.
  await tt.span({ name: 'send-email', kind: 'TOOL' }, async () => {
    throw new Error('SMTP unavailable');
  }).catch(() => undefined);
  return trace.traceId;
});

await tt.shutdown(); // a short script: send everything before exiting
console.log(`sent trace ${traceId}:`, tt.stats());
