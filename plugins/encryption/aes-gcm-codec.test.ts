import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { CodecError, type CodecContext, type ProjectKeys, type StoredProjectKey } from '../core/codec';
import { createAesGcmCodec, DecryptionError, encodeUnderMasterKey, FORMAT_VERSION, LEGACY_FORMAT_VERSION, type DecryptionFailure } from './aes-gcm-codec';
import { generateKey, parseKeyRing } from './key-ring';

const keyA = generateKey();
const keyB = generateKey();
const ring = parseKeyRing(`k1:${keyA}`);
const codec = createAesGcmCodec(ring);
const stored: StoredProjectKey = codec.projectKeys!.create('proj_1');
const keys: ProjectKeys = codec.projectKeys!.open('proj_1', [stored]);
const ctx: CodecContext = { projectId: 'proj_1', table: 'spans', rowId: 'span_1', column: 'input', keys };
const utf8 = (s: string) => new TextEncoder().encode(s);
const NONCE = 12;
const TAG = 16;
const headerLength = 2 + stored.id.length;

function decryptionError(fn: () => unknown): DecryptionError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(DecryptionError);
    expect(err).toBeInstanceOf(CodecError);
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
function flip(value: Uint8Array, index: number): Uint8Array {
  const copy = Uint8Array.from(value);
  copy[index] = copy[index]! ^ 0x01;
  return copy;
}

describe('aes-256-gcm codec', () => {
  it('is named aes-256-gcm and keeps a data key per project', () => {
    expect(codec.name).toBe('aes-256-gcm');
    expect(keys.currentKeyId).toBe(stored.id);
    expect(keys.keyIds).toEqual([stored.id]);
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
        const sealed = codec.encode(plain, ctx);
        expect(sealed.length).toBe(headerLength + NONCE + plain.length + TAG);
        expect(Buffer.from(codec.decode(sealed, ctx)).equals(Buffer.from(plain))).toBe(true);
      });
    }

    it('decodes from a view into a larger buffer (e.g. a pooled driver buffer)', () => {
      const sealed = codec.encode(utf8('"hello"'), ctx);
      const pool = Buffer.alloc(sealed.length + 100, 0xee);
      Buffer.from(sealed).copy(pool, 37);
      const view = new Uint8Array(pool.buffer, pool.byteOffset + 37, sealed.length);
      expect(Buffer.from(codec.decode(view, ctx)).toString()).toBe('"hello"');
    });

    it('decodes with another codec of the same ring, given the same stored data key', () => {
      const sealed = codec.encode(utf8('{"a":1}'), ctx);
      const other = createAesGcmCodec(parseKeyRing(`k1:${keyA}`));
      const reopened = other.projectKeys!.open('proj_1', [stored]);
      expect(Buffer.from(other.decode(sealed, { ...ctx, keys: reopened })).toString()).toBe('{"a":1}');
    });
  });

  it('writes the documented layout: version 2, the data key id, nonce, ciphertext, tag', () => {
    const sealed = codec.encode(utf8('x'), ctx);
    expect(sealed[0]).toBe(FORMAT_VERSION);
    expect(sealed[1]).toBe(stored.id.length);
    expect(Buffer.from(sealed.subarray(2, headerLength)).toString('ascii')).toBe(stored.id);
    expect(codec.keyIdOf(sealed)).toBe(stored.id);
    expect(Buffer.from(codec.currentPrefix!({ projectId: 'proj_1', keys })).equals(Buffer.from(sealed.subarray(0, headerLength)))).toBe(true);
  });

  it('uses a fresh nonce: the same value encrypts differently each time', () => {
    const plain = utf8('{"same":"value"}');
    const seen = new Set<string>();
    const nonces = new Set<string>();
    // 1,200 values: crosses the 512-nonce batches the codec draws from the CSPRNG.
    for (let i = 0; i < 1200; i++) {
      const sealed = Buffer.from(codec.encode(plain, ctx));
      seen.add(sealed.toString('hex'));
      nonces.add(sealed.subarray(headerLength, headerLength + NONCE).toString('hex'));
    }
    expect(seen.size).toBe(1200);
    expect(nonces.size).toBe(1200);
  });

  it('leaves no plaintext in the stored value', () => {
    const secret = 'my-secret-customer-prompt-0123456789';
    const plain = utf8(JSON.stringify({ prompt: secret.repeat(20) }));
    const sealed = Buffer.from(codec.encode(plain, ctx));
    // No 6-byte window of the plaintext survives (4 random bytes would match ~never by chance).
    for (let i = 0; i + 6 <= plain.length; i += 3) {
      expect(sealed.indexOf(Buffer.from(plain.subarray(i, i + 6)))).toBe(-1);
    }
    expect(sealed.toString('latin1')).not.toContain('secret');
  });

  describe('needs the project’s keys', () => {
    it('refuses to encode or decode without them, or with another project’s', () => {
      const sealed = codec.encode(utf8('1'), ctx);
      const { keys: _none, ...bare } = ctx;
      expectFailure(() => codec.encode(utf8('1'), bare), 'no-project-keys', /data keys were not given/);
      expectFailure(() => codec.decode(sealed, bare), 'no-project-keys');
      const otherKeys = codec.projectKeys!.open('proj_2', [codec.projectKeys!.create('proj_2')]);
      expectFailure(() => codec.encode(utf8('1'), { ...ctx, keys: otherKeys }), 'no-project-keys', /belong to another project/);
      expectFailure(() => codec.decode(sealed, { ...ctx, keys: otherKeys }), 'no-project-keys');
    });

    it('refuses a look-alike key set it did not open', () => {
      const fake: ProjectKeys = { projectId: 'proj_1', currentKeyId: stored.id, keyIds: [stored.id] };
      expectFailure(() => codec.encode(utf8('1'), { ...ctx, keys: fake }), 'no-project-keys');
    });

    it('a value under a data key the set lacks is an unknown key (a destroyed key)', () => {
      const sealed = codec.encode(utf8('1'), ctx);
      const rotated = codec.projectKeys!.open('proj_1', [codec.projectKeys!.create('proj_1')]);
      expectFailure(() => codec.decode(sealed, { ...ctx, keys: rotated }), 'unknown-key', /is not among the project's keys/);
      // With the old key kept beside the new one, it reads.
      const both = codec.projectKeys!.open('proj_1', [codec.projectKeys!.create('proj_1'), stored]);
      expect(Buffer.from(codec.decode(sealed, { ...ctx, keys: both })).toString()).toBe('1');
    });

    it('never prints key material: the opened set serialises as ids only', () => {
      expect(JSON.parse(JSON.stringify(keys))).toEqual({ projectId: 'proj_1', keyIds: [stored.id] });
      expect(Object.values(keys).some((v) => typeof v === 'object' && v !== null && !Array.isArray(v))).toBe(false);
    });
  });

  describe('tampering', () => {
    const plain = utf8('{"prompt":"hello world"}');
    const sealed = codec.encode(plain, ctx);

    it('a flipped ciphertext, tag or nonce byte fails authentication', () => {
      for (let i = headerLength; i < sealed.length; i++) {
        expectFailure(() => codec.decode(flip(sealed, i), ctx), 'authentication-failed', /authentication failed/);
      }
    });

    it('a key id edited to name another data key of the project fails authentication', () => {
      const second = codec.projectKeys!.create('proj_1');
      expect(second.id).toHaveLength(stored.id.length);
      const both = codec.projectKeys!.open('proj_1', [second, stored]);
      const edited = Buffer.from(sealed);
      edited.write(second.id, 2, 'latin1');
      expect(codec.keyIdOf(edited)).toBe(second.id);
      expectFailure(() => codec.decode(edited, { ...ctx, keys: both }), 'authentication-failed');
      expect(Buffer.from(codec.decode(sealed, { ...ctx, keys: both })).equals(Buffer.from(plain))).toBe(true);
    });

    it('a stored data key renamed fails to open: its id is bound into its wrapping', () => {
      const renamed = { ...stored, id: `${stored.id.slice(0, -1)}${stored.id.endsWith('x') ? 'y' : 'x'}` };
      expectFailure(() => codec.projectKeys!.open('proj_1', [renamed]), 'authentication-failed');
    });

    it('a key id edited to a name not among the keys is an unknown key', () => {
      expectFailure(() => codec.decode(flip(sealed, 2), ctx), 'unknown-key');
    });

    it('a key id holding bytes no key id may have is malformed (and not echoed)', () => {
      const edited = Uint8Array.from(sealed);
      edited[2] = 0x0a;
      const err = expectFailure(() => codec.decode(edited, ctx), 'malformed');
      expect(err.message).not.toContain('\n');
    });

    it('an edited key id length is refused', () => {
      for (const length of [0, 1, 3, 33, 255]) {
        const edited = Uint8Array.from(sealed);
        edited[1] = length;
        decryptionError(() => codec.decode(edited, ctx));
      }
      const zero = Uint8Array.from(sealed);
      zero[1] = 0;
      expectFailure(() => codec.decode(zero, ctx), 'malformed', /key id length 0/);
    });

    it('an unknown format version is named', () => {
      for (const version of [0, 3, 0x7b, 255]) {
        const edited = Uint8Array.from(sealed);
        edited[0] = version;
        expectFailure(() => codec.decode(edited, ctx), 'unsupported-version', new RegExp(`unknown format version ${version} `));
      }
    });

    it('a version byte moved between 1 and 2 fails: the version is bound too', () => {
      const edited = Uint8Array.from(sealed);
      edited[0] = LEGACY_FORMAT_VERSION;
      decryptionError(() => codec.decode(edited, ctx));
    });

    it('unencrypted JSON (stored before encryption was enabled) is an unknown version, not garbage', () => {
      expectFailure(() => codec.decode(utf8('{"prompt":"plain"}'), ctx), 'unsupported-version', /format version 123/);
    });
  });

  describe('a value moved elsewhere fails authentication', () => {
    const sealed = codec.encode(utf8('{"secret":true}'), ctx);
    const moves: Array<[string, Partial<CodecContext>]> = [
      ['another row', { rowId: 'span_2' }],
      ['another column', { column: 'output' }],
      ['another table', { table: 'traces' }],
      // Length-prefixing keeps field boundaries: shifting characters between fields is not equal.
      ['a shifted boundary (row/column)', { rowId: 'span_1i', column: 'nput' }],
    ];
    for (const [name, change] of moves) {
      it(name, () => {
        expectFailure(() => codec.decode(sealed, { ...ctx, ...change }), 'authentication-failed');
      });
    }

    it('another project, even one handed this project’s data key under the same id', () => {
      const foreign = codec.projectKeys!.open('proj_2', [codec.projectKeys!.create('proj_2')]);
      expectFailure(() => codec.decode(sealed, { ...ctx, projectId: 'proj_2', keys: foreign }), 'unknown-key');
      // The stored key itself refuses to open for another project: its wrapping binds the project.
      expectFailure(() => codec.projectKeys!.open('proj_2', [stored]), 'authentication-failed', /belongs to another project/);
    });

    it('and the error names where it failed', () => {
      const err = decryptionError(() => codec.decode(sealed, { ...ctx, rowId: 'span_2' }));
      expect(err.message).toMatch(/^cannot decrypt spans\.input of row span_2: authentication failed/);
    });
  });

  describe('truncated values', () => {
    it('every length from 0 to header + tag is a DecryptionError, never another exception', () => {
      for (const plainLength of [0, 1, 40]) {
        const sealed = codec.encode(randomBytes(plainLength), ctx);
        const minimum = headerLength + NONCE + TAG;
        for (let length = 0; length <= minimum; length++) {
          const cut = sealed.subarray(0, length);
          if (length === sealed.length) {
            expect(codec.decode(cut, ctx)).toHaveLength(0);
            continue;
          }
          const err = decryptionError(() => codec.decode(cut, ctx));
          // At exactly header + tag the structure fits, so the cut shows up as a bad tag.
          expect(err.reason).toBe(length < minimum ? 'truncated' : 'authentication-failed');
        }
      }
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

  describe('version 1: content sealed directly with a master key, before envelope encryption', () => {
    const legacy = encodeUnderMasterKey(ring, utf8('"old"'), ctx);

    it('still reads, with or without the project’s keys', () => {
      expect(legacy[0]).toBe(LEGACY_FORMAT_VERSION);
      expect(codec.keyIdOf(legacy)).toBe('k1');
      expect(Buffer.from(codec.decode(legacy, ctx)).toString()).toBe('"old"');
      const { keys: _none, ...bare } = ctx;
      expect(Buffer.from(codec.decode(legacy, bare)).toString()).toBe('"old"');
    });

    it('is bound to its place as before, and names a master key the ring lacks', () => {
      expectFailure(() => codec.decode(legacy, { ...ctx, rowId: 'span_9' }), 'authentication-failed');
      const other = createAesGcmCodec(parseKeyRing(`k2:${keyB}`));
      expectFailure(() => other.decode(legacy, ctx), 'unknown-key', /key "k1" is not in the key ring \(keys: k2\)/);
      const impostor = createAesGcmCodec(parseKeyRing(`k1:${keyB}`));
      expectFailure(() => impostor.decode(legacy, ctx), 'authentication-failed', /key "k1"/);
    });

    it('never matches the current prefix, so rotation moves it to the data key', () => {
      const prefix = Buffer.from(codec.currentPrefix!({ projectId: 'proj_1', keys }));
      expect(Buffer.from(legacy.subarray(0, prefix.length)).equals(prefix)).toBe(false);
    });
  });
});
