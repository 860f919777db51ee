// What project custom patterns cost, and why they run on RE2 in a worker. Prints figures only.
//
//   npm run bench:custom-patterns
//
// 1. Backtracking (V8's irregexp) on the pattern shapes the old save-time analyser had to refuse:
//    the time grows exponentially or quadratically with the input. (These figures were in
//    custom-pattern.ts's header: `\d+X` over 100 KB of digits took seconds; `(a+)+b` blows up
//    in the low twenties of characters.) Sizes stay small so the bench finishes.
// 2. The same patterns on re2js: linear in the input, at sizes irregexp cannot finish.
// 3. Ordinary patterns over chat-like text: irregexp vs re2js MB/s — the price of linear time.
// 4. The worker thread's round trip for a batch of 100 spans of 2 KB (structured clone both ways),
//    against redacting them on the main thread.

import { RE2JS } from 're2js';
import { compileCustomPattern } from '../plugins/redaction/index';
import { runCustomPatterns, stopCustomPatternWorkers } from '../server/services/ingest/custom-pattern-pool';
import { redactSpanContent } from '../plugins/core/index';
import { fmt, table } from './lib/stats';

const ms = (fn: () => unknown): number => {
  const t0 = performance.now();
  fn();
  return performance.now() - t0;
};

console.log(`custom-pattern bench — node ${process.version}\n`);

// 1 + 2 ------------------------------------------------------------------------------------------
const shapes: [string, (n: number) => string, number[], number[]][] = [
  [String.raw`(a+)+b`, (n) => 'a'.repeat(n), [18, 20, 22, 24], [1_000, 100_000, 1_000_000]],
  [String.raw`\d+X`, (n) => '1'.repeat(n), [5_000, 10_000, 20_000, 40_000], [100_000, 1_000_000]],
  [String.raw`(\w+\s?)+$`, (n) => 'a'.repeat(n) + '!', [18, 20, 22, 24], [1_000, 100_000, 1_000_000]],
];
const rows: string[][] = [];
for (const [pattern, input, jsSizes, re2Sizes] of shapes) {
  const js = new RegExp(pattern, 'g');
  for (const n of jsSizes) rows.push([pattern, 'irregexp', n.toLocaleString('en-US'), fmt(ms(() => input(n).replace(js, '')), 1)]);
  const re2 = RE2JS.compile(pattern);
  for (const n of re2Sizes) {
    const text = input(n);
    rows.push([pattern, 're2js', n.toLocaleString('en-US'), fmt(ms(() => re2.matcher(text).replaceAll('')), 1)]);
  }
}
console.log('Backtracking shapes: ms per replace over the input');
console.log(table(['pattern', 'engine', 'chars', 'ms'], rows));

// 3 ----------------------------------------------------------------------------------------------
const chat = ('Order CUST-123456 shipped to ann; ticket TKT-77812 closed. The deploy of v1.2.3 took 12 s, ' + 'and the customer asked about invoice INV-2026-0042 again. ').repeat(1000);
const everyday = [String.raw`CUST-\d{6}`, String.raw`\bTKT-\d+\b`, String.raw`(?i)invoice\s+INV-\d{4}-\d{4}`, String.raw`[A-Z]{3}-\d{4,6}`];
const speed: string[][] = [];
for (const pattern of everyday) {
  const js = new RegExp(pattern.replace('(?i)', ''), pattern.startsWith('(?i)') ? 'gi' : 'g');
  const rule = compileCustomPattern({ name: 'x', pattern });
  const ctx = { projectId: 'b', spanId: 'b', field: 'input' as const, piiRedaction: false };
  const per = (fn: () => unknown) => {
    for (let i = 0; i < 5; i++) fn();
    let runs = 0;
    const t0 = performance.now();
    while (performance.now() - t0 < 300) (fn(), runs++);
    return (chat.length * runs) / 1e6 / ((performance.now() - t0) / 1000);
  };
  speed.push([pattern, fmt(per(() => chat.replace(js, '[R]')), 0), fmt(per(() => rule.redact(chat, ctx)), 0)]);
}
console.log(`\nEveryday patterns over ${(chat.length / 1024).toFixed(0)} KB of chat text: MB/s`);
console.log(table(['pattern', 'irregexp', 're2js'], speed));

// 4 ----------------------------------------------------------------------------------------------
const patterns = [{ name: 'customer-id', pattern: String.raw`CUST-\d{6}` }];
const spans = Array.from({ length: 100 }, (_, i) => ({ key: String(i), content: { input: chat.slice(i * 50, i * 50 + 1024), output: chat.slice(i * 70, i * 70 + 1024) } }));
const engineModule = new URL('../plugins/redaction/custom-pattern.ts', import.meta.url).href;
const context = { projectId: 'b', piiRedaction: false, piiRules: [] };
await runCustomPatterns(engineModule, { patterns, context, budgetMs: 200, spans }, 10_000); // start + warm the worker
const rounds: number[] = [];
for (let i = 0; i < 30; i++) {
  const t0 = performance.now();
  await runCustomPatterns(engineModule, { patterns, context, budgetMs: 200, spans }, 10_000);
  rounds.push(performance.now() - t0);
}
const redactors = patterns.map((p) => compileCustomPattern(p));
const inline: number[] = [];
for (let i = 0; i < 30; i++) inline.push(ms(() => spans.forEach((s) => redactSpanContent(s.content, redactors, { ...context, spanId: s.key }))));
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
console.log('\n100 spans × 2 KB through one custom pattern: ms per batch (median of 30)');
console.log(table(['where', 'ms/batch', 'main-thread ms/batch'], [
  ['worker thread (ingest)', fmt(median(rounds), 2), '~ clone only'],
  ['main thread', fmt(median(inline), 2), fmt(median(inline), 2)],
]));
await stopCustomPatternWorkers();
