// The phone decision's figures: libphonenumber-js (findPhoneNumbersInText, min and max metadata,
// without and with a default country) against the hand-written phone rule, on the phone values and
// the negatives of eval/pii/corpus: recall, false-positive cases, MB/s, and the bytes each adds to
// a minified browser bundle. A dev-only script (libphonenumber-js is a devDependency).
//
//   npx tsx eval/pii/compare-phones.ts

import { buildSync } from 'esbuild';
import { findPhoneNumbersInText as findMax, type CountryCode } from 'libphonenumber-js/max';
import { findPhoneNumbersInText as findMin } from 'libphonenumber-js/min';
import { phoneRedactor } from '../../plugins/redaction/index';
import { parseCase, type Case } from './score';
import { loadCorpusFiles } from './load-corpus';

const cases: Case[] = loadCorpusFiles();
const ctx = { projectId: 'e', spanId: 'e', field: 'input' as const, piiRedaction: true };
const phones = cases.filter((c) => c.text.includes('{{phone:'));
const negatives = cases.filter((c) => !c.text.includes('{{'));

type Finder = (text: string) => { start: number; end: number }[];
const lib = (find: typeof findMax, country?: CountryCode): Finder => (text) => find(text, country ? { defaultCountry: country } : undefined).map((m) => ({ start: m.startsAt, end: m.endsAt }));
const rule: Finder = (text) => {
  const out = phoneRedactor.redact(text, ctx).text;
  return out === text ? [] : [{ start: 0, end: 0 }].concat([]).map(() => ({ start: -1, end: -1 }));
};

function score(name: string, find: Finder, isRule = false) {
  let found = 0;
  let values = 0;
  for (const c of phones) {
    const { plain, literals, values: vs } = parseCase(c, new Set(['phone']));
    let offset = 0;
    vs.forEach((v, i) => {
      offset += literals[i]!.length;
      values++;
      if (isRule) {
        const out = phoneRedactor.redact(plain, ctx).text;
        if (!out.includes(v.value)) found++;
      } else if (find(plain).some((m) => m.start <= offset && m.end >= offset + v.value.length)) found++;
      offset += v.value.length;
    });
  }
  const fired = negatives.filter((c) => (isRule ? phoneRedactor.redact(c.text, ctx).hits > 0 : find(c.text).length > 0)).length;
  const text = cases.map((c) => c.text).join('\n').repeat(20);
  const t0 = performance.now();
  let runs = 0;
  while (performance.now() - t0 < 1000) {
    if (isRule) phoneRedactor.redact(text, ctx);
    else find(text);
    runs++;
  }
  const mbs = (text.length * runs) / 1e6 / ((performance.now() - t0) / 1000);
  console.log(`${name.padEnd(34)} recall ${(found / values).toFixed(3)}  FP cases ${fired}/${negatives.length}  ${mbs.toFixed(1)} MB/s`);
}

function bundleBytes(contents: string): number {
  const out = buildSync({ stdin: { contents, resolveDir: process.cwd(), loader: 'ts' }, bundle: true, minify: true, write: false, format: 'esm', platform: 'browser' });
  return out.outputFiles[0]!.contents.length;
}

console.log(`phones: ${phones.length} cases; negatives: ${negatives.length}\n`);
score('hand-written rule', rule, true);
score('libphonenumber-js max, no country', lib(findMax));
score('libphonenumber-js min, no country', lib(findMin));
score('libphonenumber-js max, default US', lib(findMax, 'US'));
score('libphonenumber-js max, default GB', lib(findMax, 'GB'));
console.log('\nminified browser bundle bytes:');
console.log(`  hand-written phone rule              ${bundleBytes("export { phoneRedactor } from './plugins/redaction/rules/phone.ts';")}`);
console.log(`  libphonenumber-js/min findPhoneNumbersInText ${bundleBytes("export { findPhoneNumbersInText } from 'libphonenumber-js/min';")}`);
console.log(`  libphonenumber-js/max findPhoneNumbersInText ${bundleBytes("export { findPhoneNumbersInText } from 'libphonenumber-js/max';")}`);
