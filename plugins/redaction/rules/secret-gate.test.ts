import { describe, expect, it } from 'vitest';
import { SECRET_GATE } from './secret';

// The secret rule runs its full regex only on texts the gate admits: the gate must admit every
// text holding one of the literals the patterns start with, and (to stay a cheap filter) no other.
const LITERALS = [
  '-----BEGIN ', 'eyJ', 'sk-', 'AIza', 'AKIA', 'ASIA', 'aws_secret', 'AWS_SECRET', 'ecretAccessKey',
  ...[...'pousr'].map((c) => `gh${c}_`), 'github_pat_', ...[...'abpr'].map((c) => `xox${c}-`),
  ...['s', 'r'].flatMap((c) => [`${c}k_live_`, `${c}k_test_`]), 'hf_', 'ttk_', 'ttp_',
];
const holdsLiteral = (text: string) => LITERALS.some((literal) => text.includes(literal));

describe('secret gate', () => {
  it('admits exactly the texts holding a literal, over random texts made of their pieces', () => {
    const pieces = [...LITERALS, ...LITERALS.flatMap((l) => [l.slice(0, -1), l.slice(1)]), ...'-_JzKSIAaekstxohfgrpu ', 'é', '日本', 'live', 'test', 'pat'];
    let seed = 11;
    const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    let admitted = 0;
    for (let round = 0; round < 50_000; round++) {
      let text = '';
      for (let n = 1 + Math.floor(next() * 6); n > 0; n--) text += pieces[Math.floor(next() * pieces.length)];
      const expected = holdsLiteral(text);
      if (SECRET_GATE.test(text) !== expected) expect.fail(`gate disagrees on ${JSON.stringify(text)}: expected ${expected}`);
      if (expected) admitted++;
    }
    // Both outcomes were exercised many times.
    expect(admitted).toBeGreaterThan(5_000);
    expect(admitted).toBeLessThan(45_000);
  });

  it('admits each literal alone and inside prose, and prose without one', () => {
    for (const literal of LITERALS) {
      expect(SECRET_GATE.test(literal), literal).toBe(true);
      expect(SECRET_GATE.test(`Your key is ${literal}123, keep it safe.`), literal).toBe(true);
    }
    expect(SECRET_GATE.test('A well-known user_id, a SKU and the ASI-A risk: nothing here is a secret.')).toBe(false);
  });
});
