// A serverless handler: the platform may freeze the process as soon as the handler returns,
// so flush before returning (beforeExit never fires in a frozen process).
//
//   TOKENTRACE_API_KEY=ttk_... npx tsx sdk/examples/serverless.ts

import { Tokentrace } from '../src/index.js';

// Created once per cold start, outside the handler.
const tt = new Tokentrace({
  endpoint: process.env.TOKENTRACE_ENDPOINT ?? 'http://localhost:4000/graphql',
  allowInsecureLocalhost: true,
  flushAt: 20,
});

export async function handler(event: { user: string; question: string }): Promise<{ answer: string }> {
  try {
    return await tt.trace({ name: 'lambda-handler', userId: event.user, input: event.question }, async (trace) => {
      const answer = `You asked: ${event.question}`;
      trace.update({ output: answer });
      return { answer };
    });
  } finally {
    await tt.flush(); // resolves once sent (or given up after retries); never throws
  }
}

console.log(await handler({ user: 'user-1', question: 'What is tokentrace?' }), tt.stats());
