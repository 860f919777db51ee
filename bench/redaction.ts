// Cost of the built-in PII redaction rules per KB of realistic chat text, with and without PII,
// at 1 KB, 10 KB and 100 KB. Prints figures only.
//
//   npm run bench:redaction
//   npm run bench:redaction -- --ms=500     # measuring time per case (default 400 ms)
//
// Text: LLM chat transcripts (user questions, assistant answers with markdown, code, numbers,
// dates, versions, IPs, prices — the look-alikes the rules must skip). The "PII" corpus is the
// same text with an e-mail, phone number, card number or API key in roughly one message in
// three (~3 items per KB). Generated from a fixed seed, so runs compare.
//
// Each case: warm-up (at least 20 runs and 150 ms), then runs until the measuring time is spent
// (at least 10); the figure is the median run. Rows: all four rules in order (what ingest pays),
// each rule alone, and the JSON walk over the same text as chat messages.
//
// Reading the 100 KB row with PII: the text holds non-Latin-1 characters (—, €), so V8 stores it
// two bytes per character, and every rule that replaces something builds a new 200 KB string —
// past V8's 128 KiB regular-object limit, a large-object allocation of ~0.5–1 ms each. The same
// messages as separate strings (the JSON rows) do not pay it.

import { parseArgs } from 'node:util';
import { SpanRedaction, type RedactContext, type Redactor } from '../plugins/core/index';
import { ALL_PII_RULES, piiRedactors, piiRedactorsFor } from '../plugins/redaction/index';

/** One value through the shared engine's walk, as ingest runs it (with a per-span budget). */
function redactValue(value: unknown, redactors: readonly Redactor[], c: RedactContext, budgetMs = Infinity) {
  const run = new SpanRedaction(redactors, { projectId: c.projectId, spanId: c.spanId, piiRedaction: true, piiRules: ALL_PII_RULES, budgetMs });
  const out = run.field(value, c.field);
  return { value: out, hits: Object.fromEntries(run.finish().map((h) => [h.rule, h.count])) as Record<string, number> };
}
const redactText = (text: string, redactors: readonly Redactor[], c: RedactContext) => {
  const { value, hits } = redactValue(text, redactors, c);
  return { text: value as string, hits };
};

const { values: flags } = parseArgs({ options: { ms: { type: 'string', default: '400' } }, strict: true });
const MEASURE_MS = Number(flags.ms);
if (!Number.isFinite(MEASURE_MS) || MEASURE_MS <= 0) throw new Error(`--ms must be a positive number, got ${flags.ms}`);

const ctx: RedactContext = { projectId: 'bench', spanId: 'bench', field: 'input', piiRedaction: true };

// --- corpus -----------------------------------------------------------------------------------

let seed = 0x2f6e2b1;
const rand = (): number => {
  seed = (seed * 1103515245 + 12345) >>> 0; // LCG: reproducible, fast, good enough for text
  return seed / 2 ** 32;
};
const pick = <T>(items: readonly T[]): T => items[Math.floor(rand() * items.length)]!;
const int = (lo: number, hi: number): number => lo + Math.floor(rand() * (hi - lo + 1));
const base62 = (n: number): string =>
  Array.from({ length: n }, () => '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz'[int(0, 61)]).join('');

const questions = [
  'Can you help me debug this error? The deploy of v{ver} failed on {date} at {time}.',
  'How do I paginate a Postgres query with keyset pagination instead of OFFSET?',
  'Summarise the ticket below in three bullet points for the weekly report.',
  'Why is my React component re-rendering {n} times when the props do not change?',
  'Our invoice #{order} for ${price} was charged twice, order {ord}. What now?',
  'Translate to German: "Thank you for your order, it ships within {n} days."',
  'Write a regex that matches ISO dates like {date}, but not {date2}.',
  'The server at {ip} returns 502 since the upgrade to build {ver}. Logs attached.',
];
const answers = [
  "Sure. The error comes from the connection pool: with {n} workers and a pool of 10, requests queue up. Raise `max` or lower concurrency:\n\n```ts\nconst pool = new Pool({ max: {n}, idleTimeoutMillis: 30_000 });\n```\n\nThen redeploy and watch p95 latency for a day.",
  'Here are the three points:\n\n- Customers on plan B saw timeouts between {time} and 13:05 on {date}.\n- Root cause: a missing index on `orders(created_at)`.\n- Fix shipped in v{ver}; no data was lost.',
  'Keyset pagination keeps the last seen key and asks for rows after it:\n\n```sql\nselect * from orders where (created_at, id) > ($1, $2) order by created_at, id limit 50;\n```\n\nIt stays fast at page 10,000 where OFFSET scans every skipped row.',
  'I am sorry about the double charge of ${price}. I have opened a refund for order {ord}; it shows on the statement within 5–10 business days (reference {uuid}).',
  'The component re-renders because a new object is created on every render. Wrap it in `useMemo` or move it out of the component. In React 18.2.0 strict mode also renders twice in development.',
  'Vielen Dank für Ihre Bestellung, sie wird innerhalb von {n} Tagen versendet. Der Gesamtbetrag beträgt 1 234,56 € inkl. MwSt.',
  'Use `\\d{4}-\\d{2}-\\d{2}` anchored with word boundaries; it matches {date} and rejects 2026/11/29. For timestamps like {ts} use a separate numeric check.',
  'A 502 from {ip} usually means the upstream crashed. Check `journalctl -u app --since "{date} {time}"`; the build {ver} changed the health-check path.',
];
const piiItems = [
  () => `You can reach me at ${pick(['ann.lee', 'j.smith+billing', 'ops-team', 'maria.garcia'])}@${pick(['example.com', 'mail.example.co.uk', 'corp.example.org'])}.`,
  () => `My number is ${pick(['+44 20 7946 0958', '+1 (415) 555-2671', '(415) 555-2671', '020 7946 0958', '06 12 34 56 78', '+49-30-1234567'])}, call after 5pm.`,
  () => `The card ending in 1111 is ${pick(['4111 1111 1111 1111', '5555-5555-5555-4444', '378282246310005'])}, expiry 12/28.`,
  () => `Here is the key I use: ${pick([`sk-proj-${base62(48)}`, `ghp_${base62(36)}`, `AKIA${base62(16).toUpperCase()}`, `xoxb-${int(1e11, 9e11)}-${base62(24)}`])} — is that right?`,
];

const hex = (n: number): string => Array.from({ length: n }, () => '0123456789abcdef'[int(0, 15)]).join('');

function fill(template: string): string {
  return template
    .replaceAll('{ver}', () => `${int(1, 12)}.${int(0, 20)}.${int(0, 99)}`)
    .replaceAll('{date2}', () => `${int(1, 28)}/${int(1, 12)}/2026`)
    .replaceAll('{date}', () => `2026-${String(int(1, 12)).padStart(2, '0')}-${String(int(1, 28)).padStart(2, '0')}`)
    .replaceAll('{time}', () => `${String(int(0, 23)).padStart(2, '0')}:${String(int(0, 59)).padStart(2, '0')}:${String(int(0, 59)).padStart(2, '0')}`)
    .replaceAll('{n}', () => String(int(2, 64)))
    .replaceAll('{order}', () => String(int(100_000_000, 999_999_999)))
    .replaceAll('{ord}', () => `ORD-2026-${String(int(1, 999_999)).padStart(6, '0')}`)
    .replaceAll('{price}', () => `${int(1, 9)},${int(100, 999)}.${int(10, 99)}`)
    .replaceAll('{ip}', () => `10.${int(0, 255)}.${int(0, 255)}.${int(1, 254)}`)
    .replaceAll('{ts}', () => String(int(1_700_000_000, 1_800_000_000)))
    .replaceAll('{uuid}', () => `${hex(8)}-${hex(4)}-4${hex(3)}-a${hex(3)}-${hex(12)}`);
}

function transcript(bytes: number, withPii: boolean): { text: string; messages: { role: string; content: string }[] } {
  const messages: { role: string; content: string }[] = [];
  let length = 0;
  while (length < bytes) {
    let user = fill(pick(questions));
    if (withPii && rand() < 0.35) user += ` ${pick(piiItems)()}`;
    let assistant = fill(pick(answers));
    if (withPii && rand() < 0.3) assistant += ` ${pick(piiItems)()}`;
    messages.push({ role: 'user', content: user }, { role: 'assistant', content: assistant });
    length += user.length + assistant.length + 2;
  }
  const text = messages.map((m) => m.content).join('\n\n').slice(0, bytes);
  return { text, messages };
}

// --- measuring --------------------------------------------------------------------------------

function median(samples: number[]): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

/** Median ms per run. */
function measure(run: () => unknown): number {
  const warmUntil = performance.now() + 150;
  for (let i = 0; i < 20 || performance.now() < warmUntil; i++) run();
  const samples: number[] = [];
  const until = performance.now() + MEASURE_MS;
  while (samples.length < 10 || performance.now() < until) {
    const t0 = performance.now();
    run();
    samples.push(performance.now() - t0);
  }
  return median(samples);
}

const fmt = (n: number, digits: number): string => n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });

function printTable(header: string[], rows: string[][]): void {
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => (r[c] ?? '').length)));
  const line = (cells: string[]) => cells.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('  ');
  console.log([line(header), ...rows.map(line)].join('\n'));
}

// --- run --------------------------------------------------------------------------------------

const SIZES = [1024, 10 * 1024, 100 * 1024];
const label = (bytes: number) => `${bytes / 1024} KB`;

console.log(`redaction bench — node ${process.version}, median of runs over ${MEASURE_MS} ms per case\n`);

const corpora = SIZES.flatMap((bytes) => [
  { bytes, pii: false, ...transcript(bytes, false) },
  { bytes, pii: true, ...transcript(bytes, true) },
]);

const rows: string[][] = [];
for (const { bytes, pii, text } of corpora) {
  const kb = text.length / 1024;
  const hits = redactText(text, piiRedactors, ctx).hits;
  const total = Object.values(hits).reduce((a, b) => a + b, 0);
  const ms = measure(() => redactText(text, piiRedactors, ctx));
  rows.push([`${label(bytes)} ${pii ? 'with PII' : 'no PII'}`, fmt((ms * 1000) / kb, 1), fmt(text.length / 1e6 / (ms / 1000), 1), fmt(ms * 1000, 0), fmt(total / kb, 1)]);
}
console.log('All four rules (secret → email → card → phone), plain text:');
printTable(['input', 'µs/KB', 'MB/s', 'µs/run', 'hits/KB'], rows);

// Every built-in rule, the opt-in ones too, each alone: MB/s.
const everyRule = piiRedactorsFor(ALL_PII_RULES);
const perRule: string[][] = [];
for (const bytes of [10 * 1024, 100 * 1024]) {
  for (const pii of [false, true]) {
    const { text } = corpora.find((c) => c.bytes === bytes && c.pii === pii)!;
    const kb = text.length / 1024;
    perRule.push([
      `${label(bytes)} ${pii ? 'with PII' : 'no PII'}`,
      ...everyRule.map((rule) => fmt(text.length / 1e6 / (measure(() => rule.redact(text, ctx)) / 1000), 0)),
    ]);
  }
}
console.log('\nEach rule alone, MB/s (iban, ssn, ip are opt-in):');
printTable(['input', ...everyRule.map((r) => r.name)], perRule);

const json: string[][] = [];
for (const { bytes, pii, messages } of corpora) {
  const payload = { model: 'gpt-x', temperature: 0.2, messages };
  const kb = JSON.stringify(payload).length / 1024;
  const ms = measure(() => redactValue(payload, piiRedactors, ctx, 60_000));
  json.push([`${label(bytes)} ${pii ? 'with PII' : 'no PII'}`, fmt((ms * 1000) / kb, 1), fmt((kb * 1024) / 1e6 / (ms / 1000), 1), String(messages.length)]);
}
console.log('\nJSON walk (the shared engine, with a per-span budget) over the same text as chat messages:');
printTable(['input', 'µs/KB', 'MB/s', 'strings'], json);
