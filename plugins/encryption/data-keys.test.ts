import { describe, expect, it } from 'vitest';
import { CodecError } from '../core/codec';
import { createAesGcmCodec } from './aes-gcm-codec';
import { generateKey, parseKeyRing } from './key-ring';

// Wrapped data keys: what the server stores, how the master key ring opens them, and how a
// master-key rotation re-wraps them without touching the content they sealed.

const oldKey = generateKey();
const newKey = generateKey();
const before = createAesGcmCodec(parseKeyRing(`old:${oldKey}`));
const during = createAesGcmCodec(parseKeyRing(`new:${newKey},old:${oldKey}`));
const after = createAesGcmCodec(parseKeyRing(`new:${newKey}`));
const where = (projectId: string, rowId = 's1') => ({ projectId, table: 'spans', rowId, column: 'input' });
const utf8 = (s: string) => new TextEncoder().encode(s);

function codecError(fn: () => unknown): CodecError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(CodecError);
    return err as CodecError;
  }
  throw new Error('expected a CodecError');
}

describe('per-project data keys', () => {
  it('are random 32-byte keys, stored only wrapped under the primary master key', () => {
    const a = before.projectKeys!.create('p1');
    const b = before.projectKeys!.create('p1');
    expect(a.id).not.toBe(b.id);
    expect(a.id).toMatch(/^dk-[A-Za-z0-9_-]{13}$/);
    // version 1 | "old" | nonce | 32 bytes | tag
    expect(a.wrapped[0]).toBe(1);
    expect(Buffer.from(a.wrapped.subarray(2, 5)).toString()).toBe('old');
    expect(a.wrapped.length).toBe(2 + 3 + 12 + 32 + 16);
    expect(Buffer.from(a.wrapped).equals(Buffer.from(b.wrapped))).toBe(false);
  });

  it('open current first: new values are sealed with the first, all decode', () => {
    const first = before.projectKeys!.create('p1');
    const second = before.projectKeys!.create('p1');
    const oldSet = before.projectKeys!.open('p1', [first]);
    const sealedOld = before.encode(utf8('"a"'), { ...where('p1'), keys: oldSet });
    const both = before.projectKeys!.open('p1', [second, first]);
    expect(both.currentKeyId).toBe(second.id);
    const sealedNew = before.encode(utf8('"b"'), { ...where('p1'), keys: both });
    expect(before.keyIdOf(sealedNew)).toBe(second.id);
    expect(Buffer.from(before.decode(sealedOld, { ...where('p1'), keys: both })).toString()).toBe('"a"');
  });

  it('refuse to open with no key, a key sealed for another project, or an unknown master key', () => {
    expect(codecError(() => before.projectKeys!.open('p1', [])).reason).toBe('no-project-keys');
    const key = before.projectKeys!.create('p1');
    expect(codecError(() => before.projectKeys!.open('p2', [key])).reason).toBe('authentication-failed');
    const err = codecError(() => after.projectKeys!.open('p1', [key]));
    expect(err.reason).toBe('unknown-key');
    expect(err.message).toMatch(/master key "old" is not in the key ring \(keys: new\)/);
    expect(err.message).not.toContain(oldKey);
    const altered = { ...key, wrapped: Uint8Array.from(key.wrapped) };
    altered.wrapped[30] = altered.wrapped[30]! ^ 1;
    expect(codecError(() => before.projectKeys!.open('p1', [altered])).reason).toBe('authentication-failed');
  });

  it('master-key rotation re-wraps the data key; content sealed with it reads unchanged with the new key alone', () => {
    const key = before.projectKeys!.create('p1');
    const sealed = before.encode(utf8('{"kept":true}'), { ...where('p1'), keys: before.projectKeys!.open('p1', [key]) });
    expect(during.projectKeys!.rewrap('p1', key)).not.toBeNull();
    const rewrapped = { id: key.id, wrapped: during.projectKeys!.rewrap('p1', key)! };
    expect(Buffer.from(rewrapped.wrapped.subarray(2, 5)).toString()).toBe('new');
    // Already under the primary: nothing to do.
    expect(during.projectKeys!.rewrap('p1', rewrapped)).toBeNull();
    // The new master key alone opens it, and the very same stored content decodes.
    const opened = after.projectKeys!.open('p1', [rewrapped]);
    expect(JSON.parse(Buffer.from(after.decode(sealed, { ...where('p1'), keys: opened })).toString())).toEqual({ kept: true });
    // Without re-wrapping, the new key alone cannot.
    expect(codecError(() => after.projectKeys!.open('p1', [key])).reason).toBe('unknown-key');
  });

  it('a destroyed data key leaves its content unreadable to every key the server holds', () => {
    const key = before.projectKeys!.create('gone');
    const sealed = before.encode(utf8('"secret"'), { ...where('gone'), keys: before.projectKeys!.open('gone', [key]) });
    // The wrapped key is destroyed; a fresh key for the same project id is no help.
    const fresh = before.projectKeys!.open('gone', [before.projectKeys!.create('gone')]);
    expect(codecError(() => before.decode(sealed, { ...where('gone'), keys: fresh })).reason).toBe('unknown-key');
  });
});
