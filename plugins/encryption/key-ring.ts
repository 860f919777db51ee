import { createSecretKey, randomBytes, type KeyObject } from 'node:crypto';

// The keys that seal content at rest, written `kid:base64key,kid2:base64key`. The first key
// encrypts new values; every key decrypts, so a key is rotated by putting a new one in front
// and keeping the old ones until every value has been re-encrypted.
//
// Key material never appears in an error message, a log line, `JSON.stringify` or
// `console.log` of the ring: keys are held as KeyObjects and the ring prints as its key ids.

export const KEY_ID_PATTERN = /^[A-Za-z0-9_-]{1,32}$/;
export const KEY_BYTES = 32;

/** Where a ring came from, named in every parse error (the variable or the key file). */
export const DEFAULT_KEY_RING_SOURCE = 'TOKENTRACE_ENCRYPTION_KEYS';

export interface KeyRingEntry {
  readonly id: string;
  /** A 32-byte AES key. `key.export()` gives the bytes; avoid it outside formatKeyRing. */
  readonly key: KeyObject;
}

export interface KeyRing {
  /** Encrypts every new value. */
  readonly primary: KeyRingEntry;
  /** Key ids, primary first. */
  readonly ids: readonly string[];
  /** The key with this id, or undefined. */
  get(id: string): KeyRingEntry | undefined;
}

export class KeyRingError extends Error {
  override name = 'KeyRingError';
}

// Canonical, padded standard base64 only: Buffer.from(…, 'base64') skips characters it does
// not know, so a mangled key would otherwise decode to different bytes without complaint.
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

function decodeBase64(text: string): Buffer | undefined {
  if (!BASE64.test(text)) return undefined;
  const bytes = Buffer.from(text, 'base64');
  // Rejects non-zero padding bits, which would let two spellings name the same key.
  return bytes.toString('base64') === text ? bytes : undefined;
}

class Ring implements KeyRing {
  readonly #entries: ReadonlyMap<string, KeyRingEntry>;
  readonly primary: KeyRingEntry;
  readonly ids: readonly string[];

  constructor(entries: KeyRingEntry[]) {
    const [primary] = entries;
    if (!primary) throw new KeyRingError('a key ring needs at least one key');
    this.primary = primary;
    this.#entries = new Map(entries.map((e) => [e.id, e]));
    this.ids = Object.freeze(entries.map((e) => e.id));
  }

  get(id: string): KeyRingEntry | undefined {
    return this.#entries.get(id);
  }

  toJSON(): { ids: readonly string[] } {
    return { ids: this.ids };
  }

  // node:util's inspect.custom, by its registered name: plugins import node:crypto only.
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return `KeyRing { ids: [${this.ids.map((id) => `'${id}'`).join(', ')}] }`;
  }
}

function entry(id: string, bytes: Uint8Array): KeyRingEntry {
  return Object.freeze({ id, key: createSecretKey(bytes) });
}

/**
 * Parses `kid:base64key[,kid:base64key…]`; whitespace around entries is ignored. Throws a
 * KeyRingError naming `source` and the entry (by position or key id), never the key itself.
 */
export function parseKeyRing(text: string, source: string = DEFAULT_KEY_RING_SOURCE): KeyRing {
  function fail(problem: string): never {
    throw new KeyRingError(`${source}: ${problem}`);
  }
  if (text.trim() === '') fail('no keys (expected "kid:base64key[,kid2:base64key…]")');
  const parts = text.split(',');
  const entries: KeyRingEntry[] = [];
  const seen = new Set<string>();
  for (const [index, raw] of parts.entries()) {
    const position = `entry ${index + 1}`;
    const part = raw.trim();
    if (part === '') fail(`${position} is empty (stray comma?)`);
    const colon = part.indexOf(':');
    if (colon < 0) fail(`${position} has no key id (expected "kid:base64key")`);
    const id = part.slice(0, colon);
    // An invalid id is not echoed: it may be key material pasted in the wrong place.
    if (!KEY_ID_PATTERN.test(id)) {
      fail(`${position}: the key id must be 1–32 characters of A–Z, a–z, 0–9, "_" or "-"`);
    }
    if (seen.has(id)) fail(`key id "${id}" appears more than once`);
    seen.add(id);
    const encoded = part.slice(colon + 1).trim();
    if (encoded === '') fail(`key "${id}" is empty`);
    const bytes = decodeBase64(encoded);
    if (!bytes) fail(`key "${id}" is not valid base64 (standard alphabet, with "=" padding)`);
    if (bytes.length !== KEY_BYTES) fail(`key "${id}" is ${bytes.length} bytes, need ${KEY_BYTES}`);
    entries.push(entry(id, bytes));
    bytes.fill(0);
  }
  return new Ring(entries);
}

/** A fresh random 32-byte key, base64. */
export function generateKey(): string {
  return randomBytes(KEY_BYTES).toString('base64');
}

export type KeyInput = { id: string; key: string | Uint8Array | KeyObject };

/**
 * The text form of a ring (for TOKENTRACE_ENCRYPTION_KEYS or the key file), validated by
 * parsing it back. Rotation: `formatKeyRing([{ id: 'k2', key: generateKey() }, ...old])`
 * where `old` is an existing ring's entries, or pass a KeyRing to write it out as it is.
 */
export function formatKeyRing(input: KeyRing | readonly KeyInput[]): string {
  const list: readonly KeyInput[] = isKeyRing(input) ? input.ids.map((id) => input.get(id)!) : input;
  const text = list
    .map(({ id, key }) => {
      const encoded =
        typeof key === 'string'
          ? key
          : Buffer.from(key instanceof Uint8Array ? key : key.export()).toString('base64');
      return `${id}:${encoded}`;
    })
    .join(',');
  parseKeyRing(text, 'formatKeyRing');
  return text;
}

/** The entries of a ring, primary first: for building a rotated ring with formatKeyRing. */
export function keyRingEntries(ring: KeyRing): KeyRingEntry[] {
  return ring.ids.map((id) => ring.get(id)!);
}

function isKeyRing(value: KeyRing | readonly KeyInput[]): value is KeyRing {
  return !Array.isArray(value);
}

/** A fresh ring of one key, as the text of a key file: `local-YYYYMMDD:<base64>` and a newline. */
export function newLocalKeyRingText(now: Date = new Date()): string {
  // The id says where the key came from and roughly when.
  const id = `local-${now.toISOString().slice(0, 10).replaceAll('-', '')}`;
  return `${formatKeyRing([{ id, key: generateKey() }])}\n`;
}
