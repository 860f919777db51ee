import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { identityCodec, type CodecContext } from '../core/codec';
import { createAesGcmCodec, DecryptionError, FORMAT_VERSION, isAesGcmCodec, storedHeader, type DecryptionFailure } from './aes-gcm-codec';
import { generateKey, parseKeyRing } from './key-ring';

const keyA = generateKey();
const keyB = generateKey();
const ctx: CodecContext = { projectId: 'proj_1', table: 'spans', rowId: 'span_1', column: 'input' };
const utf8 = (s: string) => new TextEncoder().encode(s);

const codec = createAesGcmCodec(parseKeyRing(`k1:${keyA}`));
const NONCE = 12;
const TAG = 16;
const headerLength = (kid: string) => 2 + kid.length;

function decryptionError(fn: () => unknown): DecryptionError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(DecryptionError);
    return err as DecryptionError;
  }
  throw new Error('expected a DecryptionError');
}

function expectFailure(fn: () => unknown, reason: DecryptionFailure, message?: RegExp) {
  const err = decryptionError(fn);
  expect(err.reason).toBe(reason);
  if (message) expect(err.message).toMatch(message);
  expect(err.message).not.toContain(keyA);
  expect(err.message).not.toContain(keyB);
  return err;
}

/** A copy with one byte flipped. */
function flip(stored: Uint8Array, index: number): Uint8Array {
  const copy = Uint8Array.from(stored);
  copy[index] = copy[index]! ^ 0x01;
  return copy;
}

describe('aes-256-gcm codec', () => {
  it('is named aes-256-gcm', () => {
    expect(codec.name).toBe('aes-256-gcm');
  });

  describe('round trip', () => {
    const values: Array<[string, Uint8Array]> = [
      ['empty', new Uint8Array(0)],
      ['1 byte', Uint8Array.of(0x42)],
      ['1 MB', randomBytes(1024 * 1024)],
      ['unicode JSON', utf8(JSON.stringify({ prompt: 'Grüße, 世界 🌍 — "quoted" \\ \u0000', n: [1, 2.5, null] }))],
    ];
    for (const [name, plain] of values) {
      it(name, () => {
        const stored = codec.encode(plain, ctx);
        expect(stored.length).toBe(headerLength('k1') + NONCE + plain.length + TAG);
        expect(Buffer.from(codec.decode(stored, ctx)).equals(Buffer.from(plain))).toBe(true);
      });
    }

    it('decodes from a view into a larger buffer (e.g. a pooled driver buffer)', () => {
      const stored = codec.encode(utf8('"hello"'), ctx);
      const pool = Buffer.alloc(stored.length + 100, 0xee);
      Buffer.from(stored).copy(pool, 37);
      const view = new Uint8Array(pool.buffer, pool.byteOffset + 37, stored.length);
      expect(Buffer.from(codec.decode(view, ctx)).toString()).toBe('"hello"');
    });

    it('decodes with a codec built from another parse of the same ring', () => {
      const stored = codec.encode(utf8('{"a":1}'), ctx);
      const other = createAesGcmCodec(parseKeyRing(`k1:${keyA}`));
      expect(Buffer.from(other.decode(stored, ctx)).toString()).toBe('{"a":1}');
    });
  });

  it('writes the documented layout', () => {
    const stored = codec.encode(utf8('x'), ctx);
    expect(stored[0]).toBe(FORMAT_VERSION);
    expect(stored[1]).toBe(2);
    expect(Buffer.from(stored.subarray(2, 4)).toString('ascii')).toBe('k1');
    expect(codec.keyIdOf(stored)).toBe('k1');
  });

  it('uses a fresh nonce: the same value encrypts differently each time', () => {
    const plain = utf8('{"same":"value"}');
    const seen = new Set<string>();
    const nonces = new Set<string>();
    // 1,200 values: crosses the 512-nonce batches the codec draws from the CSPRNG.
    for (let i = 0; i < 1200; i++) {
      const stored = Buffer.from(codec.encode(plain, ctx));
      seen.add(stored.toString('hex'));
      nonces.add(stored.subarray(4, 4 + NONCE).toString('hex'));
    }
    expect(seen.size).toBe(1200);
    expect(nonces.size).toBe(1200);
  });

  it('leaves no plaintext in the stored value', () => {
    const secret = 'my-secret-customer-prompt-0123456789';
    const plain = utf8(JSON.stringify({ prompt: secret.repeat(20) }));
    const stored = Buffer.from(codec.encode(plain, ctx));
    // No 6-byte window of the plaintext survives (4 random bytes would match ~never by chance).
    for (let i = 0; i + 6 <= plain.length; i += 3) {
      expect(stored.indexOf(Buffer.from(plain.subarray(i, i + 6)))).toBe(-1);
    }
    expect(stored.toString('latin1')).not.toContain('secret');
  });

  describe('tampering', () => {
    const plain = utf8('{"prompt":"hello world"}');
    const stored = codec.encode(plain, ctx);
    const bodyStart = headerLength('k1');

    it('a flipped ciphertext byte fails authentication', () => {
      for (let i = bodyStart + NONCE; i < stored.length - TAG; i++) {
        expectFailure(() => codec.decode(flip(stored, i), ctx), 'authentication-failed', /authentication failed/);
      }
    });

    it('a flipped tag byte fails authentication', () => {
      for (let i = stored.length - TAG; i < stored.length; i++) {
        expectFailure(() => codec.decode(flip(stored, i), ctx), 'authentication-failed');
      }
    });

    it('a flipped nonce byte fails authentication', () => {
      for (let i = bodyStart; i < bodyStart + NONCE; i++) {
        expectFailure(() => codec.decode(flip(stored, i), ctx), 'authentication-failed');
      }
    });

    it('a key id edited to name another key in the ring fails authentication', () => {
      const ring = parseKeyRing(`k1:${keyA},k2:${keyB}`);
      const both = createAesGcmCodec(ring);
      const sealed = both.encode(plain, ctx);
      const edited = Uint8Array.from(sealed);
      edited[3] = '2'.charCodeAt(0); // k1 → k2
      expect(both.keyIdOf(edited)).toBe('k2');
      expectFailure(() => both.decode(edited, ctx), 'authentication-failed');
    });

    it('a key id edited to name a key with the same bytes still fails (the id is bound)', () => {
      const twins = createAesGcmCodec(parseKeyRing(`k1:${keyA},k2:${keyA}`));
      const edited = Uint8Array.from(twins.encode(plain, ctx));
      edited[3] = '2'.charCodeAt(0);
      expectFailure(() => twins.decode(edited, ctx), 'authentication-failed');
    });

    it('a key id edited to a name not in the ring is reported as an unknown key', () => {
      expectFailure(() => codec.decode(flip(stored, 2), ctx), 'unknown-key', /key "j1" is not in the key ring/);
    });

    it('a key id holding bytes no key id may have is malformed (and not echoed)', () => {
      const edited = Uint8Array.from(stored);
      edited[2] = 0x0a;
      const err = expectFailure(() => codec.decode(edited, ctx), 'malformed');
      expect(err.message).not.toContain('\n');
    });

    it('an edited key id length is refused', () => {
      for (const length of [0, 1, 3, 33, 255]) {
        const edited = Uint8Array.from(stored);
        edited[1] = length;
        decryptionError(() => codec.decode(edited, ctx));
      }
      const zero = Uint8Array.from(stored);
      zero[1] = 0;
      expectFailure(() => codec.decode(zero, ctx), 'malformed', /key id length 0/);
    });

    it('an unknown format version is named', () => {
      for (const version of [0, 2, 0x7b, 255]) {
        const edited = Uint8Array.from(stored);
        edited[0] = version;
        expectFailure(
          () => codec.decode(edited, ctx),
          'unsupported-version',
          new RegExp(`unknown format version ${version} `),
        );
      }
    });

    it('unencrypted JSON (stored before encryption was enabled) is an unknown version, not garbage', () => {
      expectFailure(() => codec.decode(utf8('{"prompt":"plain"}'), ctx), 'unsupported-version', /format version 123/);
    });
  });

  it('a different key with the same key id fails authentication', () => {
    const stored = codec.encode(utf8('{"a":1}'), ctx);
    const impostor = createAesGcmCodec(parseKeyRing(`k1:${keyB}`));
    expectFailure(() => impostor.decode(stored, ctx), 'authentication-failed', /key "k1"/);
  });

  describe('a value moved elsewhere fails authentication', () => {
    const stored = codec.encode(utf8('{"secret":true}'), ctx);
    const moves: Array<[string, Partial<CodecContext>]> = [
      ['another row', { rowId: 'span_2' }],
      ['another column', { column: 'output' }],
      ['another table', { table: 'traces' }],
      ['another project', { projectId: 'proj_2' }],
      // Length-prefixing keeps field boundaries: shifting characters between fields is not equal.
      ['a shifted boundary (project/table)', { projectId: 'proj_1s', table: 'pans' }],
      ['a shifted boundary (row/column)', { rowId: 'span_1i', column: 'nput' }],
    ];
    for (const [name, change] of moves) {
      it(name, () => {
        expectFailure(() => codec.decode(stored, { ...ctx, ...change }), 'authentication-failed');
      });
    }
    it('and the error names where it failed', () => {
      const err = decryptionError(() => codec.decode(stored, { ...ctx, rowId: 'span_2' }));
      expect(err.message).toMatch(/^cannot decrypt spans\.input of row span_2: authentication failed/);
    });
  });

  it('an unknown key id is named', () => {
    const old = createAesGcmCodec(parseKeyRing(`old:${keyA}`));
    const stored = old.encode(utf8('1'), ctx);
    const err = expectFailure(
      () => codec.decode(stored, ctx),
      'unknown-key',
      /key "old" is not in the key ring \(keys: k1\)/,
    );
    expect(err.name).toBe('DecryptionError');
  });

  describe('truncated values', () => {
    it('every length from 0 to header + tag is a DecryptionError, never another exception', () => {
      for (const plainLength of [0, 1, 40]) {
        const stored = codec.encode(randomBytes(plainLength), ctx);
        const minimum = headerLength('k1') + NONCE + TAG;
        for (let length = 0; length <= minimum; length++) {
          const cut = stored.subarray(0, length);
          if (length === stored.length) {
            // The whole value sealing an empty plaintext: the one length that must decode.
            expect(codec.decode(cut, ctx)).toHaveLength(0);
            continue;
          }
          const err = decryptionError(() => codec.decode(cut, ctx));
          // At exactly header + tag the structure fits, so the cut shows up as a bad tag.
          expect(err.reason).toBe(length < minimum ? 'truncated' : 'authentication-failed');
        }
      }
    });

    it('every shorter prefix of a real value fails with a DecryptionError', () => {
      const stored = codec.encode(randomBytes(100), ctx);
      for (let length = 0; length < stored.length; length++) {
        decryptionError(() => codec.decode(stored.subarray(0, length), ctx));
      }
    });

    it('reports the length, and keyIdOf refuses too', () => {
      expectFailure(() => codec.decode(Uint8Array.of(1, 2, 0x6b), ctx), 'truncated', /value is truncated \(3 bytes\)/);
      expectFailure(() => codec.decode(new Uint8Array(0), ctx), 'truncated');
      expect(() => codec.keyIdOf(Uint8Array.of(1))).toThrow(DecryptionError);
    });

    it('random garbage of any short length is a DecryptionError', () => {
      for (let length = 0; length < 80; length++) {
        for (let i = 0; i < 5; i++) {
          const garbage = randomBytes(length);
          if (length > 0 && i % 2 === 0) garbage[0] = FORMAT_VERSION;
          if (length > 1 && i === 0) garbage[1] = 2;
          decryptionError(() => codec.decode(garbage, ctx));
        }
      }
    });
  });

  describe('key rotation', () => {
    it('old values stay readable, new values use the new key, re-encrypted values need only the new key', () => {
      const oldKey = generateKey();
      const newKey = generateKey();
      const before = createAesGcmCodec(parseKeyRing(`old:${oldKey}`));
      const during = createAesGcmCodec(parseKeyRing(`new:${newKey},old:${oldKey}`));
      const after = createAesGcmCodec(parseKeyRing(`new:${newKey}`));

      const rows = Array.from({ length: 5 }, (_, i) => ({
        ctx: { ...ctx, rowId: `span_${i}` },
        plain: utf8(JSON.stringify({ i, text: `value ${i}` })),
      }));
      const stored = rows.map((r) => before.encode(r.plain, r.ctx));
      expect(stored.map((s) => before.keyIdOf(s))).toEqual(Array(5).fill('old'));

      // With both keys, old values read and new ones are sealed with the new key.
      rows.forEach((r, i) => expect(Buffer.from(during.decode(stored[i]!, r.ctx)).equals(Buffer.from(r.plain))).toBe(true));
      expect(during.keyIdOf(during.encode(utf8('"fresh"'), ctx))).toBe('new');

      // Before re-encryption, the new key alone cannot read old values.
      expectFailure(() => after.decode(stored[0]!, rows[0]!.ctx), 'unknown-key', /key "old"/);

      // Re-encrypt whatever is not under the primary key.
      const reencrypted = stored.map((s, i) =>
        during.keyIdOf(s) === 'new' ? s : during.encode(during.decode(s, rows[i]!.ctx), rows[i]!.ctx),
      );
      expect(reencrypted.map((s) => during.keyIdOf(s))).toEqual(Array(5).fill('new'));
      rows.forEach((r, i) => expect(Buffer.from(after.decode(reencrypted[i]!, r.ctx)).equals(Buffer.from(r.plain))).toBe(true));
    });
  });

  describe('what rotation relies on', () => {
    it('names its primary key and marks itself as ours', () => {
      const ring = createAesGcmCodec(parseKeyRing(`new:${keyA},old:${keyB}`));
      expect(ring.primaryKeyId).toBe('new');
      expect(isAesGcmCodec(ring)).toBe(true);
      // A look-alike (same name, same functions) is not the format rotation reads in SQL.
      expect(isAesGcmCodec({ ...ring })).toBe(false);
      expect(isAesGcmCodec(identityCodec)).toBe(false);
    });

    it('starts every stored value with storedHeader(primary key id), and only that key’s', () => {
      const k1 = createAesGcmCodec(parseKeyRing(`k1:${keyA}`));
      const k10 = createAesGcmCodec(parseKeyRing(`k10:${keyB}`));
      const stored = Buffer.from(k1.encode(utf8('"x"'), ctx));
      expect(stored.subarray(0, storedHeader('k1').length).equals(storedHeader('k1'))).toBe(true);
      // The length byte keeps a key id from matching a longer one that starts the same.
      const other = Buffer.from(k10.encode(utf8('"x"'), ctx));
      expect(other.subarray(0, storedHeader('k1').length).equals(storedHeader('k1'))).toBe(false);
      expect(() => storedHeader('not a key id')).toThrow();
    });
  });
});
