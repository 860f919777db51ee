// Cost of the SDK in the app's thread: creating and ending a span (p50, p99 per span), and the
// memory held by 100,000 spans queued while the server is unreachable. Prints figures only.
//
//   npm run bench:sdk
//
// Each span is timed on its own with process.hrtime (~30–60 ns of the figure is the clock).
// Spans are created in chunks of 1,000; between chunks the event loop turns, so the SDK's
// background work (batching, a refused connection, backoff) runs as it would in an app, but
// outside the timed calls. The endpoint is a loopback port nobody listens on.
//
// Target (issue 4): p50 ≤ 5 µs per span.

import { setImmediate as turn } from 'node:timers/promises';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { Tokentrace } from '../sdk/src/index.js';
import { fmt, percentile, table } from './lib/stats';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const UNREACHABLE = 'http://127.0.0.1:9/graphql';
const SPANS = 100_000;
const CHUNK = 1_000;

function client(options: { piiRedaction?: boolean } = {}): Tokentrace {
  return new Tokentrace({
    apiKey: 'ttk_bench',
    endpoint: UNREACHABLE,
    allowInsecureLocalhost: true,
    maxQueueSize: SPANS * 2,
    maxRetries: 1_000,
    retryDelayMs: 60_000, // after the first refused attempt the queue just waits
    onError: () => undefined,
    ...options,
  });
}

const messages = [
  { role: 'system', content: 'You are a helpful assistant for an online shop.' },
  { role: 'user', content: 'Where is my order 4412? I paid yesterday and have not heard back.' },
];
const answer = { role: 'assistant', content: 'Your order 4412 shipped this morning; the tracking link is in your e-mail.' };

type Case = { name: string; piiRedaction?: boolean; run: (tt: Tokentrace) => void };

const cases: Case[] = [
  { name: 'startSpan + end (no content)', run: (tt) => tt.startSpan({ name: 'step' }).end() },
  { name: 'span(opts, fn) callback, sync fn', run: (tt) => void tt.span({ name: 'step' }, () => 1) },
  {
    name: 'generation + end (content, usage)',
    run: (tt) => tt.startGeneration({ name: 'llm', model: 'gpt-4o-mini', input: messages }).end({ output: answer, usage: { promptTokens: 30, completionTokens: 20 } }),
  },
  {
    name: 'generation + end, piiRedaction',
    piiRedaction: true,
    run: (tt) => tt.startGeneration({ name: 'llm', model: 'gpt-4o-mini', input: messages }).end({ output: answer, usage: { promptTokens: 30, completionTokens: 20 } }),
  },
];

async function timeCase(c: Case): Promise<string[]> {
  const tt = client({ piiRedaction: c.piiRedaction });
  const samples = new Float64Array(SPANS);
  // Warm-up: let the JIT settle on the same code paths.
  for (let i = 0; i < 20_000; i++) c.run(tt);
  await tt.shutdown({ timeoutMs: 1 });
  const measured = client({ piiRedaction: c.piiRedaction });
  for (let done = 0; done < SPANS; done += CHUNK) {
    for (let i = 0; i < CHUNK; i++) {
      const t0 = process.hrtime.bigint();
      c.run(measured);
      samples[done + i] = Number(process.hrtime.bigint() - t0) / 1000;
    }
    await turn();
  }
  await measured.shutdown({ timeoutMs: 1 });
  const all = Array.from(samples);
  const mean = all.reduce((a, b) => a + b, 0) / all.length;
  return [c.name, fmt(percentile(all, 50), 2), fmt(percentile(all, 99), 2), fmt(mean, 2)];
}

async function memoryCase(name: string, run: (tt: Tokentrace) => void): Promise<string[]> {
  gc();
  await turn();
  gc();
  const before = process.memoryUsage().heapUsed;
  const tt = client();
  for (let done = 0; done < SPANS; done += CHUNK) {
    for (let i = 0; i < CHUNK; i++) run(tt);
    await turn();
  }
  gc();
  await turn();
  gc();
  const after = process.memoryUsage().heapUsed;
  const queued = tt.stats().queued;
  await tt.shutdown({ timeoutMs: 1 });
  const bytes = after - before;
  return [name, fmt(queued), fmt(bytes / 1024 / 1024, 1), fmt(bytes / queued, 0)];
}

console.log(`@tokentrace/sdk — Node ${process.version}, ${SPANS.toLocaleString('en-US')} spans per case, server unreachable\n`);
const rows: string[][] = [];
for (const c of cases) rows.push(await timeCase(c));
console.log(table(['per span, app thread', 'p50 µs', 'p99 µs', 'mean µs'], rows));
console.log('');
const memory = [
  await memoryCase('plain spans', (tt) => tt.startSpan({ name: 'step' }).end()),
  await memoryCase('generations with content', cases[2]!.run),
];
console.log(table(['queued while unreachable', 'spans', 'heap MB', 'bytes/span'], memory));
