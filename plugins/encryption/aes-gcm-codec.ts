import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { CodecContext, ContentCodec } from '../core/codec';
import { KEY_ID_PATTERN, type KeyRing } from './key-ring';

// AES-256-GCM for content at rest. A stored value is self-describing:
//
//   offset 0        1 byte   format version (1)
//          1        1 byte   key id length n (1–32)
//          2        n bytes  key id (ASCII, [A-Za-z0-9_-])
//          2+n     12 bytes  nonce, fresh from the CSPRNG for every value
//          14+n     …        ciphertext (as long as the plaintext)
//          end-16  16 bytes  GCM tag
//
// The associated data binds the format version, the key id and where the value lives
// (project, table, row, column), each length-prefixed, so a value copied to another row,
// column or project — or a header edited to point at another key — fails authentication.
//
// Nonces are random (96 bits): keep well under 2^32 encryptions per key (NIST SP 800-38D),
// i.e. rotate the primary key long before that; re-encryption under a new key resets it.

export const FORMAT_VERSION = 1;
const NONCE_BYTES = 12;
const TAG_BYTES = 16;
const MAX_KEY_ID_BYTES = 32;
/** The shortest possible stored value: 1-byte key id, empty plaintext. */
export const MIN_STORED_BYTES = 2 + 1 + NONCE_BYTES + TAG_BYTES;
const AAD_LABEL = Buffer.from('tokentrace/content/aes-256-gcm', 'ascii');

export type DecryptionFailure =
  | 'truncated'
  | 'unsupported-version'
  | 'malformed'
  | 'unknown-key'
  | 'authentication-failed';

/** A stored value that cannot be turned back into plaintext. The message never holds key or content bytes. */
export class DecryptionError extends Error {
  override name = 'DecryptionError';
  constructor(
    readonly reason: DecryptionFailure,
    message: string,
  ) {
    super(message);
  }
}

export interface AesGcmCodec extends ContentCodec {
  /** The id of the key new values are sealed with (the ring's first). */
  readonly primaryKeyId: string;
  /** The id of the key that sealed a stored value (for finding values to re-encrypt). Throws DecryptionError on a malformed value. */
  keyIdOf(stored: Uint8Array): string;
}

// Codecs made by createAesGcmCodec, so a caller that relies on the stored format (key
// rotation reads the header in SQL) can tell ours from a third-party codec with the same name.
const ourCodecs = new WeakSet<object>();

export function isAesGcmCodec(codec: ContentCodec): codec is AesGcmCodec {
  return ourCodecs.has(codec);
}

/**
 * The first bytes of every value sealed with `keyId`: version, key id length, key id. Key
 * rotation compares stored values against it in SQL to find the ones under another key.
 */
export function storedHeader(keyId: string): Buffer {
  if (!KEY_ID_PATTERN.test(keyId)) throw new Error('not a valid key id');
  return Buffer.concat([Buffer.of(FORMAT_VERSION, keyId.length), Buffer.from(keyId, 'latin1')]);
}

interface Header {
  keyId: string;
  /** Offset of the nonce. */
  bodyStart: number;
}

function where(ctx: CodecContext | undefined): string {
  return ctx ? `cannot decrypt ${ctx.table}.${ctx.column} of row ${ctx.rowId}` : 'cannot read encrypted value';
}

function parseHeader(stored: Uint8Array, ctx: CodecContext | undefined): Header {
  const fail = (reason: DecryptionFailure, problem: string) =>
    new DecryptionError(reason, `${where(ctx)}: ${problem}`);
  const truncated = () => fail('truncated', `value is truncated (${stored.length} bytes)`);
  if (stored.length === 0) throw truncated();
  const version = stored[0]!;
  if (version !== FORMAT_VERSION) {
    throw fail(
      'unsupported-version',
      `unknown format version ${version} (this build reads version ${FORMAT_VERSION}; ` +
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
  return { keyId, bodyStart };
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

function lengthPrefixed(parts: Buffer[]): Buffer {
  const out = Buffer.allocUnsafe(parts.reduce((n, p) => n + 4 + p.length, 0));
  let at = 0;
  for (const part of parts) {
    at = out.writeUInt32BE(part.length, at);
    at += part.copy(out, at);
  }
  return out;
}

// The label, version and key id start every associated data of a key: built once per key id.
const aadPrefixes = new Map<string, Buffer>();
function aadPrefix(keyId: string): Buffer {
  let prefix = aadPrefixes.get(keyId);
  if (!prefix) {
    prefix = lengthPrefixed([AAD_LABEL, Buffer.of(FORMAT_VERSION), Buffer.from(keyId, 'latin1')]);
    aadPrefixes.set(keyId, prefix);
  }
  return prefix;
}

/**
 * Associated data: label, version, key id and the value's location, each length-prefixed. One
 * allocation per value (it runs twice per stored span).
 */
function associatedData(keyId: string, ctx: CodecContext): Buffer {
  const prefix = aadPrefix(keyId);
  const place = [ctx.projectId, ctx.table, ctx.rowId, ctx.column];
  let size = prefix.length;
  for (const part of place) size += 4 + Buffer.byteLength(part, 'utf8');
  const out = Buffer.allocUnsafe(size);
  let at = prefix.copy(out, 0);
  for (const part of place) {
    const length = out.write(part, at + 4, 'utf8');
    out.writeUInt32BE(length, at);
    at += 4 + length;
  }
  return out;
}

export function createAesGcmCodec(ring: KeyRing): AesGcmCodec {
  const primary = ring.primary;
  const header = storedHeader(primary.id);
  const bodyStart = header.length;

  const codec: AesGcmCodec = {
    name: 'aes-256-gcm',
    primaryKeyId: primary.id,

    encode(plain, ctx) {
      const out = Buffer.allocUnsafe(bodyStart + NONCE_BYTES + plain.length + TAG_BYTES);
      header.copy(out, 0);
      writeNonce(out, bodyStart);
      const nonce = out.subarray(bodyStart, bodyStart + NONCE_BYTES);
      const cipher = createCipheriv('aes-256-gcm', primary.key, nonce, { authTagLength: TAG_BYTES });
      cipher.setAAD(associatedData(primary.id, ctx));
      let at = bodyStart + NONCE_BYTES;
      at += cipher.update(plain).copy(out, at);
      at += cipher.final().copy(out, at);
      cipher.getAuthTag().copy(out, at);
      return out;
    },

    decode(stored, ctx) {
      const { keyId, bodyStart: start } = parseHeader(stored, ctx);
      const entry = ring.get(keyId);
      if (!entry) {
        throw new DecryptionError(
          'unknown-key',
          `${where(ctx)}: key "${keyId}" is not in the key ring (keys: ${ring.ids.join(', ')})`,
        );
      }
      const bytes = Buffer.from(stored.buffer, stored.byteOffset, stored.length);
      const nonce = bytes.subarray(start, start + NONCE_BYTES);
      const ciphertext = bytes.subarray(start + NONCE_BYTES, bytes.length - TAG_BYTES);
      const tag = bytes.subarray(bytes.length - TAG_BYTES);
      try {
        const decipher = createDecipheriv('aes-256-gcm', entry.key, nonce, { authTagLength: TAG_BYTES });
        decipher.setAAD(associatedData(keyId, ctx));
        decipher.setAuthTag(tag);
        const head = decipher.update(ciphertext);
        const tail = decipher.final();
        return tail.length === 0 ? head : Buffer.concat([head, tail]);
      } catch {
        throw new DecryptionError(
          'authentication-failed',
          `${where(ctx)}: authentication failed (the value was altered, sealed with a different ` +
            `key "${keyId}", or belongs to another row, column or project)`,
        );
      }
    },

    keyIdOf(stored) {
      return parseHeader(stored, undefined).keyId;
    },
  };
  ourCodecs.add(codec);
  return codec;
}
