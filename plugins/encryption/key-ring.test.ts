import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { formatKeyRing, generateKey, keyRingEntries, KeyRingError, parseKeyRing } from './key-ring';

const k1 = generateKey();
const k2 = generateKey();
const short = Buffer.alloc(16, 7).toString('base64');

function errorOf(fn: () => unknown): Error {
  try {
    fn();
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected an error');
}

/** No error may carry key material: the whole base64 text, a chunk of it, or the raw bytes. */
function expectNoKeyMaterial(message: string, ...keys: string[]) {
  for (const key of keys) {
    for (let i = 0; i + 8 <= key.length; i += 4) expect(message).not.toContain(key.slice(i, i + 8));
    expect(message).not.toContain(Buffer.from(key, 'base64').toString('latin1'));
  }
}

describe('parseKeyRing', () => {
  it('parses one key', () => {
    const ring = parseKeyRing(`k1:${k1}`);
    expect(ring.primary.id).toBe('k1');
    expect(ring.primary.key.symmetricKeySize).toBe(32);
    expect(Buffer.from(ring.primary.key.export()).toString('base64')).toBe(k1);
    expect(ring.ids).toEqual(['k1']);
  });

  it('uses the first key as primary and keeps all for decryption', () => {
    const ring = parseKeyRing(` new:${k2} , old_1-x:${k1} `);
    expect(ring.primary.id).toBe('new');
    expect(ring.ids).toEqual(['new', 'old_1-x']);
    expect(ring.get('old_1-x')?.id).toBe('old_1-x');
    expect(Buffer.from(ring.get('old_1-x')!.key.export()).toString('base64')).toBe(k1);
    expect(ring.get('missing')).toBeUndefined();
  });

  it('accepts a 32-character key id and refuses 33', () => {
    expect(parseKeyRing(`${'a'.repeat(32)}:${k1}`).primary.id).toBe('a'.repeat(32));
    expect(() => parseKeyRing(`${'a'.repeat(33)}:${k1}`)).toThrow(KeyRingError);
  });

  const cases: Array<[string, string, RegExp]> = [
    ['empty', '', /TOKENTRACE_ENCRYPTION_KEYS: no keys/],
    ['blank', '  \n ', /no keys/],
    ['bad base64 (characters)', `k1:${k1.slice(0, -2)}!=`, /key "k1" is not valid base64/],
    ['bad base64 (no padding)', `k1:${k1.replace(/=+$/, '')}`, /key "k1" is not valid base64/],
    ['bad base64 (non-canonical padding bits)', `k1:${k1.slice(0, -2)}B=`, /key "k1" is not valid base64/],
    ['base64url alphabet', `k1:${k1.replaceAll('+', '-').replaceAll('/', '_').replace(/^./, '-')}`, /not valid base64/],
    ['16-byte key', `k1:${k1},k2:${short}`, /^TOKENTRACE_ENCRYPTION_KEYS: key "k2" is 16 bytes, need 32$/],
    ['64-byte key', `k1:${Buffer.alloc(64).toString('base64')}`, /key "k1" is 64 bytes, need 32/],
    ['empty key', 'k1:', /key "k1" is empty/],
    ['duplicate kid', `k1:${k1},k1:${k2}`, /key id "k1" appears more than once/],
    ['no colon', k1, /entry 1 has no key id/],
    ['empty kid', `:${k1}`, /entry 1: the key id must be/],
    ['bad kid characters', `k.1:${k1}`, /entry 1: the key id must be/],
    ['kid with space', `k 1:${k1}`, /the key id must be/],
    ['stray comma', `k1:${k1},`, /entry 2 is empty/],
    ['empty entry in the middle', `k1:${k1},,k2:${k2}`, /entry 2 is empty/],
  ];

  for (const [name, text, pattern] of cases) {
    it(`refuses: ${name}`, () => {
      const err = errorOf(() => parseKeyRing(text));
      expect(err).toBeInstanceOf(KeyRingError);
      expect(err.message).toMatch(pattern);
      expectNoKeyMaterial(err.message, k1, k2, short);
    });
  }

  it('never echoes a swapped "key:kid" entry (the key would be read as the id)', () => {
    const err = errorOf(() => parseKeyRing(`${k1}:k1`));
    expect(err.message).toMatch(/entry 1: the key id must be/);
    expectNoKeyMaterial(err.message, k1);
  });

  it('names the source it was given', () => {
    expect(() => parseKeyRing('', '/data/encryption-keys')).toThrow(/^\/data\/encryption-keys: no keys/);
  });

  it('does not reveal keys when logged or serialised', () => {
    const ring = parseKeyRing(`k1:${k1},k2:${k2}`);
    for (const text of [inspect(ring, { depth: 10 }), JSON.stringify(ring), String(inspect(ring.primary, { depth: 10 }))]) {
      expectNoKeyMaterial(text, k1, k2);
    }
    expect(JSON.stringify(ring)).toBe('{"ids":["k1","k2"]}');
  });
});

describe('generateKey', () => {
  it('gives base64 of 32 random bytes', () => {
    const a = generateKey();
    expect(Buffer.from(a, 'base64')).toHaveLength(32);
    expect(a).toMatch(/^[A-Za-z0-9+/]{43}=$/);
    expect(generateKey()).not.toBe(a);
  });
});

describe('formatKeyRing', () => {
  it('round-trips through parseKeyRing', () => {
    const text = formatKeyRing([
      { id: 'k2', key: k2 },
      { id: 'k1', key: Buffer.from(k1, 'base64') },
    ]);
    expect(text).toBe(`k2:${k2},k1:${k1}`);
    expect(formatKeyRing(parseKeyRing(text))).toBe(text);
  });

  it('builds a rotated ring from an existing one', () => {
    const ring = parseKeyRing(`k1:${k1}`);
    const rotated = parseKeyRing(formatKeyRing([{ id: 'k2', key: k2 }, ...keyRingEntries(ring)]));
    expect(rotated.ids).toEqual(['k2', 'k1']);
    expect(rotated.primary.id).toBe('k2');
  });

  it('refuses what parseKeyRing refuses, without echoing the key', () => {
    const err = errorOf(() => formatKeyRing([{ id: 'k1', key: short }]));
    expect(err.message).toMatch(/key "k1" is 16 bytes, need 32/);
    expectNoKeyMaterial(err.message, short);
    expect(() => formatKeyRing([])).toThrow(/no keys/);
  });
});
