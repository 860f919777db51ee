import { describe, expect, it } from 'vitest';
import { piiRedactors } from '../../redaction/pii-rules';
import { seededRandom } from '../seeded-random';
import type { RedactContext, Redactor } from './types';
import { JsonWalk } from './walk-json';

// keepUnchanged hands back the very object that was sent wherever no rule changed anything, and
// the server then stores that object's text as the request spelled it. So the one thing that must
// never happen: an object coming back as itself while the copy differs from it. The oracle is the
// copying walk (the default), whose output is what redaction means.

const ctx: RedactContext = { projectId: 'p1', spanId: 's1', field: 'input', piiRedaction: true };

function walk(value: unknown, keepUnchanged: boolean, redactors: readonly Redactor[] = piiRedactors) {
  const run = new JsonWalk(redactors, undefined, { keepUnchanged });
  const out = run.redact(value, ctx);
  return { out, hits: Object.fromEntries(run.hits) };
}

const CLEAN = ['', 'hello', 'v10.0.19045', '2026-11-29', 'ünïcode ✓', 'call me maybe', '12345'];
const DIRTY = ['ann@example.com', 'card 4111 1111 1111 1111', 'ring +44 20 7946 0958', 'IP 10.1.2.3'];

/** A JSON document (as a client sends it): mostly clean, now and then a string or number a rule changes. */
function jsonDocument(next: () => number, depth: number, dirtyRate: number): unknown {
  const r = next();
  if (depth > 4 || r < 0.35) {
    const leaf = next();
    if (leaf < 0.45) {
      const strings = next() < dirtyRate ? DIRTY : CLEAN;
      return strings[Math.floor(next() * strings.length)];
    }
    if (leaf < 0.6) return next() < dirtyRate / 2 ? 4111111111111111 : Math.round(next() * 1e6) / 100;
    if (leaf < 0.7) return next() < 0.5;
    if (leaf < 0.8) return null;
    return 1732800000; // ten digits: never looked at
  }
  const size = Math.floor(next() * 5);
  if (r < 0.65) return Array.from({ length: size }, () => jsonDocument(next, depth + 1, dirtyRate));
  const out: Record<string, unknown> = {};
  for (let i = 0; i < size; i++) out[next() < 0.05 ? '__proto__' : `k${i}`] = jsonDocument(next, depth + 1, dirtyRate);
  return out;
}

/**
 * Checks `kept` (keepUnchanged's output for `input`) against `copy` (the copying walk's) path by
 * path: wherever kept is the input's own object, the copy says the same thing as the input.
 */
function checkAgainstOracle(input: unknown, kept: unknown, copy: unknown, path = '$'): void {
  expect(JSON.stringify(kept), path).toBe(JSON.stringify(copy));
  if (typeof kept !== 'object' || kept === null) return;
  if (kept === input) expect(JSON.stringify(input), `${path} came back as itself but the copy differs`).toBe(JSON.stringify(copy));
  const keys = Object.keys(copy as object);
  expect(Object.keys(kept), path).toEqual(keys);
  for (const key of keys) {
    const inner = typeof input === 'object' && input !== null ? (input as Record<string, unknown>)[key] : undefined;
    checkAgainstOracle(inner, (kept as Record<string, unknown>)[key], (copy as Record<string, unknown>)[key], `${path}.${key}`);
  }
}

describe('JsonWalk with keepUnchanged', () => {
  it('gives what the copying walk gives, and an object back as itself only where the copy repeats it', () => {
    let same = 0;
    let changed = 0;
    for (let seed = 1; seed <= 1000; seed++) {
      const next = seededRandom(seed);
      // As the server gets it: parsed from the request's text.
      const text = JSON.stringify(jsonDocument(next, 0, seed % 3 === 0 ? 0 : 0.15));
      const input = JSON.parse(text) as unknown;
      const kept = walk(input, true);
      const copy = walk(JSON.parse(text), false);
      expect(kept.hits, `seed ${seed}`).toEqual(copy.hits);
      checkAgainstOracle(input, kept.out, copy.out, `seed ${seed}`);
      // Never written into.
      expect(JSON.stringify(input), `seed ${seed}`).toBe(text);
      if (typeof input === 'object' && input !== null) {
        const unchanged = JSON.stringify(copy.out) === text;
        // Every plain object or array the rules leave alone comes back as itself, so the server keeps its text.
        expect(kept.out === input, `seed ${seed}`).toBe(unchanged);
        if (unchanged) same++;
        else changed++;
      }
    }
    // Both outcomes were exercised, many times.
    expect(same, `${same} kept, ${changed} changed`).toBeGreaterThan(150);
    expect(changed, `${same} kept, ${changed} changed`).toBeGreaterThan(150);
  });

  it('makes a new object on the whole path to a change and shares what is untouched', () => {
    const input = JSON.parse('{"keep": {"a": [1, "plain"]}, "mail": [{"to": ["x", "ann@example.com"]}], "n": 2}') as {
      keep: object;
      mail: { to: string[] }[];
    };
    const { out, hits } = walk(input, true);
    const result = out as typeof input;
    expect(hits).toEqual({ email: 1 });
    expect(result).not.toBe(input);
    expect(result.mail).not.toBe(input.mail);
    expect(result.mail[0]).not.toBe(input.mail[0]);
    expect(result.mail[0]!.to).not.toBe(input.mail[0]!.to);
    expect(result.keep).toBe(input.keep);
    expect(result).toEqual({ keep: { a: [1, 'plain'] }, mail: [{ to: ['x', '[REDACTED:email]'] }], n: 2 });
    expect(input.mail[0]!.to[1]).toBe('ann@example.com');
  });

  it('counts as a change what the copy leaves out or turns into null', () => {
    const cases: [string, unknown][] = [
      ['an undefined member', { a: 1, b: undefined }],
      ['a function member', { a: 1, f: () => 1 }],
      ['a hole', [1, , 3]], // eslint-disable-line no-sparse-arrays
      ['an undefined element', [1, undefined]],
      ['NaN', { n: Number.NaN }],
      ['Infinity', [Number.POSITIVE_INFINITY]],
      ['a bigint', { b: 12n }],
      ['a Date (toJSON)', { d: new Date(0) }],
    ];
    for (const [what, input] of cases) {
      const { out } = walk(input, true);
      expect(out, what).not.toBe(input);
      expect(JSON.stringify(out), what).toBe(JSON.stringify(walk(input, false).out));
    }
  });

  it('never hands back an object that is not plain data', () => {
    class Message {
      role = 'user';
    }
    const map = new Map([['k', 'v']]);
    const list = new (class extends Array<string> {})();
    for (const input of [new Message(), map, list]) expect(walk(input, true).out).not.toBe(input);
    const bare = Object.assign(Object.create(null) as object, { a: 'plain' });
    expect(walk(bare, true).out).toBe(bare);
  });

  it('counts a redactor that returns equal text as no change, whatever hits it reports', () => {
    const counting: Redactor = { name: 'counting', redact: (text) => ({ text: `${text}`, hits: 1 }) };
    const input = { a: ['x', 'y'] };
    const { out, hits } = walk(input, true, [counting]);
    expect(out).toBe(input);
    expect(hits).toEqual({ counting: 2 });
  });

  it('is off by default: the walk copies', () => {
    const input = { a: ['plain'] };
    const { out } = walk(input, false);
    expect(out).not.toBe(input);
    expect(out).toEqual(input);
  });
});
