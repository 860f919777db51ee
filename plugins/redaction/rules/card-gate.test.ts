import { describe, expect, it } from 'vitest';
import type { RedactContext } from '../../core/redaction/types';
import { cardRedactor, redactCardNumbers } from './card';
import { phoneRedactor } from './phone';
import { holdsDigitPair } from './replace-matches';

// The card rule skips text without two adjacent digits, and keeps that answer for the phone rule
// (holdsDigitPair): over random texts the gated rule must give exactly what the rule without the
// gate gives, and the kept answer must never be another text's.
const ctx: RedactContext = { projectId: 'p', spanId: 's', field: 'input', piiRedaction: true };

let seed = 5;
const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!;
const digits = (n: number) => Array.from({ length: n }, () => String(Math.floor(next() * 10))).join('');
// Card-shaped runs: 12–19 digits in groups of 3–5, one separator apart, or none; Luhn-valid
// numbers among the fixed ones.
const cardLike = () => {
  if (next() < 0.3) return pick(['4111 1111 1111 1111', '378 282 246 310 005', '5555-5555-5555-4444', '4111111111111111', '3782 822463 10005']);
  const groups = Array.from({ length: 3 + Math.floor(next() * 3) }, () => digits(3 + Math.floor(next() * 3)));
  return groups.join(pick([' ', '-', '']));
};
const pieces = ['Card ', 'no. ', ', exp ', '12/28', '1', '22', ' ', '-', '.', 'ab', '日本', '+', 'x9'];

function randomText(): string {
  let text = '';
  for (let n = 1 + Math.floor(next() * 6); n > 0; n--) text += next() < 0.3 ? cardLike() : pick(pieces);
  return text;
}

describe('card gate', () => {
  it('changes no result, over random texts of card-shaped digit runs and words', () => {
    let found = 0;
    let skipped = 0;
    for (let round = 0; round < 30_000; round++) {
      const text = randomText();
      const gated = cardRedactor.redact(text, ctx);
      const full = redactCardNumbers(text);
      if (gated.text !== full.text || gated.hits !== full.hits) expect.fail(`gated rule differs on ${JSON.stringify(text)}`);
      if (full.hits > 0) found++;
      if (!/\d\d/.test(text)) skipped++;
    }
    expect(found).toBeGreaterThan(3_000);
    expect(skipped).toBeGreaterThan(3_000);
  });

  it('the kept answer is always the one for the text asked about, whatever came before', () => {
    const texts = [...Array.from({ length: 200 }, randomText), 'a1b2', 'a12b', '12', '1 2', 'aaaa', 'aa12'];
    for (let round = 0; round < 20_000; round++) {
      // Repeats of the previous text, the same content in a new string, and other texts.
      const text = next() < 0.3 ? `${pick(texts)}` : pick(texts);
      expect(holdsDigitPair(text)).toBe(/\d\d/.test(text));
      // The rules, in their ingest order, on a text and on what the card rule left.
      const afterCard = cardRedactor.redact(text, ctx).text;
      phoneRedactor.redact(afterCard, ctx);
      expect(holdsDigitPair(afterCard)).toBe(/\d\d/.test(afterCard));
    }
  });
});
