// The PII evaluation: recall, precision and false-positive rate per rule of the built-in PII
// redaction on the corpus in eval/pii/corpus (see README.md). Exits non-zero when a rule is
// below recall 0.98 or above 2 % false-positive cases, so CI enforces it.
//
//   npm run eval:pii
//   npm run eval:pii -- --verbose                 # list every miss and false alarm
//   npm run eval:pii -- --rules-module=/tmp/old.ts  # score another rule module (its `piiRedactors`)
//
// Two runs: the default rule set (e-mail, phone, card, secret — the opt-in types are then plain
// text that must be left alone), and every rule on (the opt-in IBAN, IP and SSN rules too).

import { parseArgs } from 'node:util';
import { SpanRedaction, type Redactor } from '../../plugins/core/index';
import { ALL_PII_RULES, DEFAULT_PII_RULE_SET, useRedaction } from '../../plugins/redaction/index';
import { loadCorpusFiles } from './load-corpus';
import { scoreCases, type TypeScore } from './score';

const { values: flags } = parseArgs({
  options: { verbose: { type: 'boolean', default: false }, 'rules-module': { type: 'string' } },
  strict: true,
});

const MIN_RECALL = 0.98;
const MAX_FP_RATE = 0.02;

function redactorFor(redactors: Redactor[], rules: readonly string[]) {
  const project = { projectId: 'eval', piiRedaction: true, piiRules: rules };
  const applying = redactors.filter((r) => r.appliesTo?.(project) ?? true);
  return (text: string) => {
    const run = new SpanRedaction(applying, { projectId: 'eval', spanId: 'eval', piiRedaction: true, piiRules: rules });
    const out = run.field(text, 'input') as string;
    return { text: out, hits: run.finish().reduce((n, h) => n + h.count, 0) };
  };
}

const pct = (n: number) => (n * 100).toFixed(1) + '%';
const ratio = (a: number, b: number) => (b === 0 ? 1 : a / b);

function report(title: string, scores: Map<string, TypeScore>, types: readonly string[]): string[] {
  const failures: string[] = [];
  const rows = types.map((type) => {
    const s = scores.get(type)!;
    const recall = ratio(s.found, s.values);
    const precision = ratio(s.truePlaceholders, s.allPlaceholders);
    const fpRate = ratio(s.negativesFired, s.negatives);
    if (recall < MIN_RECALL) failures.push(`${title}: ${type} recall ${recall.toFixed(3)} < ${MIN_RECALL}`);
    if (fpRate > MAX_FP_RATE) failures.push(`${title}: ${type} false positives ${pct(fpRate)} > ${pct(MAX_FP_RATE)}`);
    return [type, String(s.values), String(s.found), recall.toFixed(3), precision.toFixed(3), `${s.negativesFired}/${s.negatives}`, pct(fpRate)];
  });
  const header = ['rule', 'values', 'found', 'recall', 'precision', 'neg. fired', 'FP rate'];
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c]!.length)));
  const line = (cells: string[]) => cells.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('  ');
  console.log(`\n${title}`);
  console.log([line(header), ...rows.map(line)].join('\n'));
  if (flags.verbose) {
    for (const type of types) {
      const s = scores.get(type)!;
      for (const miss of s.misses) console.log(`  miss ${type}: ${miss}`);
      for (const alarm of s.falseAlarms) console.log(`  false alarm ${type}: ${alarm}`);
    }
  }
  return failures;
}

const cases = loadCorpusFiles();
const marked = cases.filter((c) => c.text.includes('{{')).length;
console.log(`PII eval: ${cases.length} cases (${marked} with marked values, ${cases.length - marked} without) from eval/pii/corpus`);

let failures: string[] = [];
if (flags['rules-module']) {
  // An older rule module (e.g. a previous commit's pii-rules.ts): its default list only.
  const mod = (await import(flags['rules-module'])) as { piiRedactors: Redactor[] };
  const types = mod.piiRedactors.map((r) => r.name);
  failures = report(`${flags['rules-module']} (its piiRedactors)`, scoreCases(cases, types, redactorFor(mod.piiRedactors, types)), types);
} else {
  const redactors = useRedaction().redactors;
  failures.push(...report('Default rules (email, phone, card, secret)', scoreCases(cases, DEFAULT_PII_RULE_SET, redactorFor(redactors, DEFAULT_PII_RULE_SET)), DEFAULT_PII_RULE_SET));
  failures.push(...report('Every rule on (+ iban, ip, ssn)', scoreCases(cases, ALL_PII_RULES, redactorFor(redactors, ALL_PII_RULES)), ALL_PII_RULES));
}
console.log(`\nthresholds: recall ≥ ${MIN_RECALL}, false-positive cases ≤ ${pct(MAX_FP_RATE)} of the negatives, per rule`);
if (failures.length > 0) {
  console.log(`FAILED:\n  ${failures.join('\n  ')}`);
  process.exit(1);
}
console.log('passed');
