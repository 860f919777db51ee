// observeOpenAI: every chat completion and response becomes a GENERATION span, streamed or not.
//
//   TOKENTRACE_API_KEY=ttk_... OPENAI_API_KEY=sk-... npx tsx sdk/examples/openai.ts
//   # any OpenAI-compatible server works too: OPENAI_BASE_URL=http://localhost:11434/v1
//
// In your app, import from '@tokentrace/sdk' instead of '../src/index.js'.

import OpenAI from 'openai';
import { observeOpenAI, Tokentrace } from '../src/index.js';

const tt = new Tokentrace({
  endpoint: process.env.TOKENTRACE_ENDPOINT ?? 'http://localhost:4000/graphql',
  allowInsecureLocalhost: true,
});
const openai = observeOpenAI(new OpenAI(), { tokentrace: tt });
const model = process.env.OPENAI_MODEL ?? 'gpt-4o-mini';

await tt.trace({ name: 'openai-example', tags: ['example'] }, async () => {
  const completion = await openai.chat.completions.create({ model, messages: [{ role: 'user', content: 'Say hi in one word.' }] });
  console.log('chat:', completion.choices[0]?.message.content);

  // Streamed: output, usage and time to first token are recorded; the chunks are untouched.
  const stream = await openai.chat.completions.create({
    model,
    messages: [{ role: 'user', content: 'Count to five.' }],
    stream: true,
    stream_options: { include_usage: true },
  });
  for await (const chunk of stream) process.stdout.write(chunk.choices[0]?.delta.content ?? '');
  console.log();

  const response = await openai.responses.create({ model, input: 'Name one French cheese.' });
  console.log('responses:', response.output_text);
});

await tt.shutdown();
