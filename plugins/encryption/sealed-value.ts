import { createCipheriv, createDecipheriv, randomBytes, type KeyObject } from 'node:crypto';
import { CodecError, type CodecFailure } from '../core/codec';
import { KEY_ID_PATTERN } from './key-ring';

// The one sealed layout, shared by content values and wrapped data keys:
//
//   offset 0        1 byte   format version
//          1        1 byte   key id length n (1–32)
//          2        n bytes  key id (ASCII, [A-Za-z0-9_-]): the key that sealed it
//          2+n     12 bytes  nonce, fresh from the CSPRNG for every value
//          14+n     …        ciphertext (as long as the plaintext)
//          end-16  16 bytes  GCM tag
//
// What the version and key id mean, and the associated data, belong to the caller
// (aes-gcm-codec.ts for content, data-keys.ts for wrapped keys).
//
// Nonces are random (96 bits): keep well under 2^32 encryptions per key (NIST SP 800-38D).
// Per-project data keys spread content over many keys; rotate a busy project's data key
// (`npm run keys:rotate-data`) long before that.

export const NONCE_BYTES = 12;
export const TAG_BYTES = 16;
const MAX_KEY_ID_BYTES = 32;

/** A stored value that cannot be turned back into plaintext. The message never holds key or content bytes. */
export class DecryptionError extends CodecError {
  override name = 'DecryptionError';
}

export type DecryptionFailure = CodecFailure;

export interface SealedHeader {
  version: number;
  keyId: string;
  /** Offset of the nonce. */
  bodyStart: number;
}

/** Version, key id length and key id: the first bytes of everything sealed with `keyId` in `version`. */
export function sealedHeader(version: number, keyId: string): Buffer {
  if (!KEY_ID_PATTERN.test(keyId)) throw new Error('not a valid key id');
  return Buffer.concat([Buffer.of(version, keyId.length), Buffer.from(keyId, 'latin1')]);
}

/**
 * Reads the header, checking only its structure; `versions` lists the versions the caller
 * reads. `where` starts every message (`cannot decrypt spans.input of row s1`).
 */
export function parseSealedHeader(stored: Uint8Array, versions: readonly number[], where: string): SealedHeader {
  const fail = (reason: DecryptionFailure, problem: string) => new DecryptionError(reason, `${where}: ${problem}`);
  const truncated = () => fail('truncated', `value is truncated (${stored.length} bytes)`);
  if (stored.length === 0) throw truncated();
  const version = stored[0]!;
  if (!versions.includes(version)) {
    throw fail(
      'unsupported-version',
      `unknown format version ${version} (this build reads version ${versions.join(' and ')}; ` +
        `a value stored before encryption was enabled is not encrypted at all)`,
    );
  }
  if (stored.length < 2) throw truncated();
  const idLength = stored[1]!;
  if (idLength === 0 || idLength > MAX_KEY_ID_BYTES) {
    throw fail('malformed', `key id length ${idLength} is out of range (1–${MAX_KEY_ID_BYTES})`);
  }
  const bodyStart = 2 + idLength;
  if (stored.length < bodyStart + NONCE_BYTES + TAG_BYTES) throw truncated();
  const keyId = Buffer.from(stored.buffer, stored.byteOffset + 2, idLength).toString('latin1');
  // Checked before it is echoed in any message.
  if (!KEY_ID_PATTERN.test(keyId)) throw fail('malformed', 'key id holds characters a key id cannot have');
  return { version, keyId, bodyStart };
}

// Nonces are drawn from the CSPRNG in batches (one call per 512 values instead of one each:
// a 12-byte randomBytes call costs about as much as sealing 1 KB). Each batch is a fresh
// buffer and every 12 bytes of it are handed out exactly once.
const NONCES_PER_BATCH = 512;
let nonceBatch = Buffer.alloc(0);
let nonceAt = 0;

function writeNonce(out: Buffer, at: number): void {
  if (nonceAt + NONCE_BYTES > nonceBatch.length) {
    nonceBatch = randomBytes(NONCE_BYTES * NONCES_PER_BATCH);
    nonceAt = 0;
  }
  nonceAt += nonceBatch.copy(out, at, nonceAt, nonceAt + NONCE_BYTES);
}

/** `header | nonce | AES-256-GCM(plain) | tag`, with `aad` authenticated. */
export function seal(key: KeyObject, header: Buffer, aad: Buffer, plain: Uint8Array): Buffer {
  const bodyStart = header.length;
  const out = Buffer.allocUnsafe(bodyStart + NONCE_BYTES + plain.length + TAG_BYTES);
  header.copy(out, 0);
  writeNonce(out, bodyStart);
  const nonce = out.subarray(bodyStart, bodyStart + NONCE_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, nonce, { authTagLength: TAG_BYTES });
  cipher.setAAD(aad);
  let at = bodyStart + NONCE_BYTES;
  at += cipher.update(plain).copy(out, at);
  at += cipher.final().copy(out, at);
  cipher.getAuthTag().copy(out, at);
  return out;
}

/** The plaintext of a sealed value whose header was parsed; throws `failure()` when authentication fails. */
export function unseal(key: KeyObject, stored: Uint8Array, bodyStart: number, aad: Buffer, failure: () => Error): Buffer {
  const bytes = Buffer.from(stored.buffer, stored.byteOffset, stored.length);
  const nonce = bytes.subarray(bodyStart, bodyStart + NONCE_BYTES);
  const ciphertext = bytes.subarray(bodyStart + NONCE_BYTES, bytes.length - TAG_BYTES);
  const tag = bytes.subarray(bytes.length - TAG_BYTES);
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, nonce, { authTagLength: TAG_BYTES });
    decipher.setAAD(aad);
    decipher.setAuthTag(tag);
    const head = decipher.update(ciphertext);
    const tail = decipher.final();
    return tail.length === 0 ? head : Buffer.concat([head, tail]);
  } catch {
    throw failure();
  }
}

/** Parts joined with a 4-byte length before each, so no two different lists give the same bytes. */
export function lengthPrefixed(parts: readonly (Buffer | string)[]): Buffer {
  const buffers = parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'utf8') : p));
  const out = Buffer.allocUnsafe(buffers.reduce((n, p) => n + 4 + p.length, 0));
  let at = 0;
  for (const part of buffers) {
    at = out.writeUInt32BE(part.length, at);
    at += part.copy(out, at);
  }
  return out;
}
