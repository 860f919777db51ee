import { describe, expect, it } from 'vitest';
import type { RedactContext } from '../../core/redaction/types';
import { phoneRedactor, redactPhones } from './phone';

// The phone rule skips text its gates reject (no `+` and no two adjacent digits; no run of 8
// digits): over random text made of phone pieces, the gated rule must give exactly what the rule
// without gates gives, and the gates must have rejected and admitted many of those texts.
const ctx: RedactContext = { projectId: 'p', spanId: 's', field: 'input', piiRedaction: true };

describe('phone gates', () => {
  it('change no result, over random texts of digits, separators and phone shapes', () => {
    const pieces = [...'0123456789', ...' .-/()+', ' ', ' ', 'tel ', 'order #', 'ab', '日本', '(415) ', '555-2671', '+44 ', '20 7946 0958', '06 ', '00', '12'];
    const words = ['', 'Call ', 'tel: ', 'Ref ', '(', ' now.', ', ok', ')', '-x', '日本 '];
    let seed = 7;
    const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const digits = (n: number) => Array.from({ length: n }, () => String(Math.floor(next() * 10))).join('');
    const grouped = () => {
      // Groups of one digit or of two, one separator apart: `+1 2 3 4 5 6 7 8` (a phone without
      // two adjacent digits) and `06 12 34 56 78` (one without three) among them.
      const width = next() < 0.5 ? 1 : 2;
      let text = ['+', '', width === 2 ? '0' : ''][Math.floor(next() * 3)]!;
      for (let n = (width === 1 ? 7 : 3) + Math.floor(next() * 5); n > 0; n--) text += `${digits(text.endsWith('0') ? 1 : width)}${' .-'[Math.floor(next() * 3)]}`;
      return text + digits(width);
    };
    let found = 0;
    let skipped = 0;
    for (let round = 0; round < 40_000; round++) {
      let text = '';
      if (round % 4 === 0) {
        // One grouped number in words, so nothing else in the text opens the gates.
        text = `${words[Math.floor(next() * words.length)]}${grouped()}${words[Math.floor(next() * words.length)]}`;
      } else {
        for (let n = 1 + Math.floor(next() * 12); n > 0; n--) text += next() < 0.1 ? grouped() : pieces[Math.floor(next() * pieces.length)];
      }
      const gated = phoneRedactor.redact(text, ctx);
      const full = redactPhones(text);
      if (gated.text !== full.text || gated.hits !== full.hits) expect.fail(`gated rule differs on ${JSON.stringify(text)}`);
      if (full.hits > 0) found++;
      if (gated.text === text && !/\d\d|\+/.test(text)) skipped++;
    }
    // Both sides were exercised many times.
    expect(found).toBeGreaterThan(2_000);
    expect(skipped).toBeGreaterThan(2_000);
  });
});
