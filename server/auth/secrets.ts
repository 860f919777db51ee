import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

// Credentials look like `ttk_<lookup id><secret><checksum>` (ingest keys) or `ttp_…`
// (personal access tokens), all base62. The lookup id finds the row, the stored SHA-256 of the
// whole credential proves possession, and the CRC32 checksum lets a secret scanner (or our
// own parser) tell a real credential from random text without a database round trip.

export type CredentialKind = 'ttk' | 'ttp';

const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const LOOKUP_LENGTH = 12; // 8 random bytes (62^12 > 2^64)
const SECRET_LENGTH = 43; // 32 random bytes (62^43 > 2^256)
const CHECKSUM_LENGTH = 6;
const BODY_LENGTH = LOOKUP_LENGTH + SECRET_LENGTH;
const CREDENTIAL_PATTERN = new RegExp(`^(ttk|ttp)_([0-9A-Za-z]{${BODY_LENGTH + CHECKSUM_LENGTH}})$`);

function toBase62(bytes: Uint8Array, length: number): string {
  let n = 0n;
  for (const b of bytes) n = (n << 8n) | BigInt(b);
  let out = '';
  while (n > 0n) {
    out = ALPHABET[Number(n % 62n)] + out;
    n /= 62n;
  }
  return out.padStart(length, '0');
}

const CRC_TABLE = Array.from({ length: 256 }, (_, i) => {
  let c = i;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(text: string): number {
  let crc = 0xffffffff;
  for (const byte of Buffer.from(text, 'utf8')) crc = CRC_TABLE[(crc ^ byte) & 0xff]! ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

function checksumOf(kind: CredentialKind, body: string): string {
  const n = crc32(`${kind}_${body}`);
  return toBase62(Uint8Array.of(n >>> 24, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff), CHECKSUM_LENGTH);
}

export interface IssuedCredential {
  /** The whole credential, shown to its owner once. */
  secret: string;
  lookupId: string;
  /** Safe to display: kind and lookup id, e.g. `ttk_3hX9aQ0bLm2Z`. */
  prefix: string;
  secretHash: string;
}

export function issueCredential(kind: CredentialKind): IssuedCredential {
  const lookupId = toBase62(randomBytes(8), LOOKUP_LENGTH);
  const body = lookupId + toBase62(randomBytes(32), SECRET_LENGTH);
  const secret = `${kind}_${body}${checksumOf(kind, body)}`;
  return { secret, lookupId, prefix: `${kind}_${lookupId}`, secretHash: hashCredential(secret) };
}

export interface ParsedCredential {
  kind: CredentialKind;
  lookupId: string;
}

/** Undefined when the text is not a well-formed credential (wrong shape or checksum). */
export function parseCredential(text: string): ParsedCredential | undefined {
  const match = CREDENTIAL_PATTERN.exec(text);
  if (!match) return undefined;
  const kind = match[1] as CredentialKind;
  const rest = match[2]!;
  const body = rest.slice(0, BODY_LENGTH);
  if (checksumOf(kind, body) !== rest.slice(BODY_LENGTH)) return undefined;
  return { kind, lookupId: body.slice(0, LOOKUP_LENGTH) };
}

/** Credentials carry 256 random bits, so a fast hash is enough; no salt or stretching needed. */
export function hashCredential(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

export function credentialMatches(secret: string, storedHash: string): boolean {
  const a = Buffer.from(hashCredential(secret), 'hex');
  const b = Buffer.from(storedHash, 'hex');
  return a.length === b.length && timingSafeEqual(a, b);
}

/** 32 random bytes for a session cookie. */
export function newSessionToken(): string {
  return randomBytes(32).toString('base64url');
}
