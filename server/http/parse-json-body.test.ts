import { describe, expect, it } from 'vitest';
import { sourceTextOf } from '../services/ingest/content-source-text';
import { parseJsonBody } from './parse-json-body';

// The pieces path must give exactly JSON.parse's value, and throw wherever JSON.parse throws (the
// server then hands the body to yoga unparsed, which answers with its own error). Tiny piece
// sizes make small documents take every branch of the cutting.
const CUT = [{ pieceBytes: 1, wholeStringBytes: 0 }, { pieceBytes: 8, wholeStringBytes: 0 }, { pieceBytes: 40, wholeStringBytes: 0 }];

function sameAsJsonParse(text: string): void {
  const body = Buffer.from(text, 'utf8');
  let expected: unknown;
  let threw = false;
  try {
    // From the bytes: a lone surrogate in `text` becomes U+FFFD on the way to UTF-8.
    expected = JSON.parse(body.toString('utf8'));
  } catch {
    threw = true;
  }
  for (const sizes of CUT) {
    if (threw) expect(() => parseJsonBody(body, sizes), `${JSON.stringify(sizes)} ${text}`).toThrow(SyntaxError);
    else expect(parseJsonBody(body, sizes), `${JSON.stringify(sizes)} ${text}`).toStrictEqual(expected);
  }
}

/** A random JSON value with the awkward parts: escapes, brackets in strings, Unicode, nesting. */
function randomValue(next: () => number, depth: number): unknown {
  const pick = Math.floor(next() * (depth > 3 ? 5 : 8));
  const strings = ['', 'a', '"q"', 'back\\slash\\', '}{][,:', 'é漢字😀', '\u0000\u001f', 'x'.repeat(70), '\\"', '__proto__'];
  switch (pick) {
    case 0:
      return null;
    case 1:
      return next() < 0.5;
    case 2:
      return [0, -1, 1.5e300, 123456789012345678901234567890, -0.000001, 42][Math.floor(next() * 6)];
    case 3:
    case 4:
      return strings[Math.floor(next() * strings.length)];
    case 5:
    case 6: {
      const out: Record<string, unknown> = {};
      const n = Math.floor(next() * 5);
      for (let i = 0; i < n; i++) out[strings[Math.floor(next() * strings.length)]! + String(i % 3)] = randomValue(next, depth + 1);
      return out;
    }
    default:
      return Array.from({ length: Math.floor(next() * 6) }, () => randomValue(next, depth + 1));
  }
}

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

describe('parseJsonBody', () => {
  it('gives what JSON.parse gives for documents of every shape, cut anywhere', () => {
    const next = rng(7);
    for (let i = 0; i < 600; i++) {
      const value = randomValue(next, 0);
      // Compact, and with JSON's four kinds of space wherever they may stand.
      sameAsJsonParse(JSON.stringify(value));
      sameAsJsonParse(JSON.stringify(value, null, next() < 0.5 ? 2 : '\t').replace(/\n/g, next() < 0.5 ? '\r\n' : '\n'));
    }
  });

  it('keeps JSON.parse’s own rules: duplicate keys, "__proto__" as an own key, big numbers, escapes', () => {
    for (const text of [
      '{"a":1,"b":[1,2],"a":3}',
      '{"__proto__":{"polluted":true},"x":[{"__proto__":1}]}',
      '[12345678901234567890123, 1e400, -0, 0.1]',
      '{"s":"\\u0041\\ud83d\\ude00\\n\\"\\\\","t":"\\ud800"}',
      '  [ { "k" : [ ] , "l" : { } } , [ [ ] ] ]  ',
      '{"10":1,"2":2,"b":3,"a":4}',
    ]) {
      sameAsJsonParse(text);
    }
    const parsed = parseJsonBody(Buffer.from('{"__proto__":{"polluted":true}}'), CUT[1]) as Record<string, unknown>;
    expect(Object.getPrototypeOf(parsed)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('throws where JSON.parse throws, for broken documents of every kind', () => {
    for (const text of [
      '',
      ' ',
      '{',
      '[1,2',
      '[1,2,]',
      '{"a":1,}',
      '{"a" 1}',
      '{"a":}',
      '{a:1}',
      '[1 2]',
      '[1}',
      '{"a":[}]',
      '{"a":"unterminated}',
      '[tru]',
      '[01]',
      '["\\x"]',
      '[1]]',
      '[1] x',
      '{"a":1}{"b":2}',
      '["a\u0001"]',
      '[,1]',
      '[NaN]',
      "['single']",
      '\ufeff{"a":1}',
    ]) {
      sameAsJsonParse(text);
    }
    // Random damage to valid documents: one byte dropped, doubled or swapped for punctuation.
    const next = rng(11);
    for (let i = 0; i < 1500; i++) {
      const text = JSON.stringify(randomValue(next, 0));
      const at = Math.floor(next() * text.length);
      const junk = '{}[],:" \\x0'[Math.floor(next() * 12)]!;
      const kind = Math.floor(next() * 3);
      sameAsJsonParse(kind === 0 ? text.slice(0, at) + text.slice(at + 1) : kind === 1 ? text.slice(0, at) + junk + text.slice(at) : text.slice(0, at) + junk + text.slice(at + 1));
    }
  });

  it('decodes UTF-8 exactly as one piece would, invalid sequences included', () => {
    const body = Buffer.concat([Buffer.from('["a'), Buffer.from([0xe6, 0xbc]), Buffer.from('",{"k":"'), Buffer.from([0xff, 0xc3]), Buffer.from('"},"é"]')]);
    const expected = JSON.parse(body.toString('utf8'));
    for (const sizes of CUT) expect(parseJsonBody(body, sizes)).toStrictEqual(expected);
  });

  it('parses an ingest-sized body in pieces with the default sizes', () => {
    const spans = Array.from({ length: 150 }, (_, i) => ({ id: `s${i}`, input: { messages: [{ role: 'user', content: 'ü'.repeat(900) + i }] } }));
    const text = JSON.stringify({ query: 'mutation { x }', variables: { spans } });
    expect(Buffer.byteLength(text)).toBeGreaterThan(256 * 1024);
    expect(parseJsonBody(Buffer.from(text))).toStrictEqual(JSON.parse(text));
  });

  // The encode stage seals the remembered bytes instead of the value (content-source-text.ts): a
  // remembered text must be JSON for exactly the value it is remembered for.
  it('remembers only text that parses to exactly the value it is remembered for', () => {
    const next = rng(23);
    let remembered = 0;
    for (let i = 0; i < 400; i++) {
      const spans = Array.from({ length: 1 + Math.floor(next() * 6) }, (_, k) => {
        const span: Record<string, unknown> = { id: `s${k}`, input: randomValue(next, 1), meta: { input: randomValue(next, 1) } };
        if (next() < 0.7) span.output = randomValue(next, 1);
        return span;
      });
      let text = JSON.stringify({ variables: { spans } }, null, next() < 0.5 ? undefined : 1);
      // A duplicate key (JSON.parse keeps the last), and a key spelled with an escape.
      if (next() < 0.2) text = text.replace('"input":', '"input":[1],"input":');
      if (next() < 0.2) text = text.replace('"output":', '"\\u006futput":');
      // …and after the plain one, so that the value JSON.parse keeps is the escaped key's.
      if (next() < 0.2) text = text.replace('"input":', '"input":{"plain":1},"\\u0069nput":');
      // Larger pieces too, so that whole spans are parsed in runs of several (the walk then finds their content).
      for (const sizes of [...CUT, { pieceBytes: 300, wholeStringBytes: 0 }, { pieceBytes: 4096, wholeStringBytes: 0 }]) {
        const parsed = parseJsonBody(Buffer.from(text), sizes);
        expect(parsed).toStrictEqual(JSON.parse(text));
        for (const value of objectsIn(parsed)) {
          const source = sourceTextOf(value);
          if (!source) continue;
          remembered++;
          expect(JSON.parse(Buffer.from(source).toString('utf8')), text).toStrictEqual(value);
        }
      }
    }
    expect(remembered).toBeGreaterThan(1000);
  });

  it('remembers the content of every span of an ingest-sized body, and nothing of a body parsed whole', () => {
    const spans = Array.from({ length: 150 }, (_, i) => ({ id: `s${i}`, input: { messages: [{ role: 'user', content: 'é'.repeat(900) + i }] }, output: [i, { text: 'ok' }], tags: ['a'] }));
    const big = parseJsonBody(Buffer.from(JSON.stringify({ query: 'mutation { x }', variables: { spans } }))) as { variables: { spans: typeof spans } };
    for (const span of big.variables.spans) {
      expect(Buffer.from(sourceTextOf(span.input)!).toString()).toBe(JSON.stringify(span.input));
      expect(Buffer.from(sourceTextOf(span.output)!).toString()).toBe(JSON.stringify(span.output));
      expect(sourceTextOf(span.tags)).toBeUndefined();
    }
    const small = parseJsonBody(Buffer.from(JSON.stringify({ variables: { spans: spans.slice(0, 2) } }))) as { variables: { spans: typeof spans } };
    expect(sourceTextOf(small.variables.spans[0]!.input)).toBeUndefined();
  });

  it('does not remember content spelled with \\u escapes: stored as they are, they would take up to 6 times the room', () => {
    const body = Buffer.from('[{"input":{"a":"caf\\u00e9"},"output":{"b":"café \\\\ / \\n"}}]');
    for (const sizes of CUT) {
      const [span] = parseJsonBody(body, sizes) as { input: unknown; output: unknown }[];
      expect(span!.input).toEqual({ a: 'café' });
      expect(sourceTextOf(span!.input)).toBeUndefined();
      expect(Buffer.from(sourceTextOf(span!.output)!).toString()).toBe('{"b":"café \\\\ / \\n"}');
    }
  });

  it('does not remember content whose bytes are not valid UTF-8', () => {
    const body = Buffer.concat([Buffer.from('[{"input":{"a":"'), Buffer.from([0xff]), Buffer.from('"},"output":{"b":"ok"}}]')]);
    for (const sizes of CUT) {
      const [span] = parseJsonBody(body, sizes) as { input: unknown; output: unknown }[];
      expect(sourceTextOf(span!.input)).toBeUndefined();
      expect(Buffer.from(sourceTextOf(span!.output)!).toString()).toBe('{"b":"ok"}');
    }
  });
});

/** Every object and array in a JSON value, the value itself included. */
function* objectsIn(value: unknown): Generator<object> {
  if (typeof value !== 'object' || value === null) return;
  yield value;
  for (const item of Object.values(value)) yield* objectsIn(item);
}

