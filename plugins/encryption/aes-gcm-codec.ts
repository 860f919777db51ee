import type { CodecContext, ContentCodec } from '../core/codec';
import { createProjectKeyHooks, dataKeyOf } from './data-keys';
import { formatKeyRing, type KeyRing } from './key-ring';
import { DecryptionError, lengthPrefixed, parseSealedHeader, seal, sealedHeader, unseal, NONCE_BYTES, TAG_BYTES } from './sealed-value';

export { DecryptionError, type DecryptionFailure } from './sealed-value';

// AES-256-GCM for content at rest, in the layout of sealed-value.ts. Two versions:
//
//   2  sealed with the project's data key (envelope encryption, data-keys.ts); the key id in
//      the header is the data key's. Every value written now is version 2.
//   1  sealed directly with a master key of the ring (before envelope encryption). Still read;
//      `npm run keys:rotate` (or the server's background migration) moves them to version 2.
//
// The associated data binds a label, the version, the key id and where the value lives
// (project, table, row, column), each length-prefixed, so a value copied to another row,
// column or project — or a header edited to point at another key — fails authentication.

export const FORMAT_VERSION = 2;
export const LEGACY_FORMAT_VERSION = 1;
const READABLE_VERSIONS = [LEGACY_FORMAT_VERSION, FORMAT_VERSION] as const;
/** The shortest possible stored value: 1-byte key id, empty plaintext. */
export const MIN_STORED_BYTES = 2 + 1 + NONCE_BYTES + TAG_BYTES;
const AAD_LABEL = Buffer.from('tokentrace/content/aes-256-gcm', 'ascii');

export interface AesGcmCodec extends ContentCodec {
  /** The id of the master key that wraps new data keys (the ring's first). */
  readonly primaryKeyId: string;
  /** The id of the key that sealed a stored value (a data key's, or a master key's for version 1). */
  keyIdOf(stored: Uint8Array): string;
}

function where(ctx: CodecContext | undefined): string {
  return ctx ? `cannot decrypt ${ctx.table}.${ctx.column} of row ${ctx.rowId}` : 'cannot read encrypted value';
}

// What every value sealed with one key in one version starts with: its header, and the start
// of its associated data (label, version, key id). Built once per key id and kept (bounded: a
// server sees one data key per project it touches).
interface KeyParts {
  header: Buffer;
  aadPrefix: Buffer;
}
const keyParts = [new Map<string, KeyParts>(), new Map<string, KeyParts>(), new Map<string, KeyParts>()];
function partsOf(version: typeof LEGACY_FORMAT_VERSION | typeof FORMAT_VERSION, keyId: string): KeyParts {
  const cache = keyParts[version]!;
  let parts = cache.get(keyId);
  if (!parts) {
    if (cache.size >= 4096) cache.clear();
    parts = {
      header: sealedHeader(version, keyId),
      aadPrefix: lengthPrefixed([AAD_LABEL, Buffer.of(version), Buffer.from(keyId, 'latin1')]),
    };
    cache.set(keyId, parts);
  }
  return parts;
}

/**
 * Associated data: label, version, key id and the value's location, each length-prefixed. One
 * allocation per value (it runs twice per stored span).
 */
function associatedData(version: typeof LEGACY_FORMAT_VERSION | typeof FORMAT_VERSION, keyId: string, ctx: CodecContext): Buffer {
  const prefix = partsOf(version, keyId).aadPrefix;
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

function authenticationFailed(ctx: CodecContext, keyId: string): () => DecryptionError {
  return () =>
    new DecryptionError(
      'authentication-failed',
      `${where(ctx)}: authentication failed (the value was altered, sealed with a different ` +
        `key "${keyId}", or belongs to another row, column or project)`,
    );
}

/**
 * A version-1 value: sealed with the ring's primary master key, no data key. Only for tests of
 * the migration from that format; the codec itself never writes it.
 */
export function encodeUnderMasterKey(ring: KeyRing, plain: Uint8Array, ctx: CodecContext): Buffer {
  const { id, key } = ring.primary;
  return seal(key, partsOf(LEGACY_FORMAT_VERSION, id).header, associatedData(LEGACY_FORMAT_VERSION, id, ctx), plain);
}

export function createAesGcmCodec(ring: KeyRing): AesGcmCodec {
  return {
    name: 'aes-256-gcm',
    primaryKeyId: ring.primary.id,
    projectKeys: createProjectKeyHooks(ring),
    encode(plain, ctx) {
      const dataKey = dataKeyOf(ctx.keys, ctx.projectId, () => where(ctx));
      if (!dataKey) throw new DecryptionError('no-project-keys', `${where(ctx)}: the project's current data key is missing`);
      return seal(dataKey.key, partsOf(FORMAT_VERSION, dataKey.id).header, associatedData(FORMAT_VERSION, dataKey.id, ctx), plain);
    },
    decode(stored, ctx) {
      const { version, keyId, bodyStart } = parseSealedHeader(stored, READABLE_VERSIONS, where(ctx));
      if (version === LEGACY_FORMAT_VERSION) {
        const master = ring.get(keyId);
        if (!master) {
          throw new DecryptionError('unknown-key', `${where(ctx)}: key "${keyId}" is not in the key ring (keys: ${ring.ids.join(', ')})`);
        }
        return unseal(master.key, stored, bodyStart, associatedData(version, keyId, ctx), authenticationFailed(ctx, keyId));
      }
      const dataKey = dataKeyOf(ctx.keys, ctx.projectId, () => where(ctx), keyId);
      if (!dataKey) {
        throw new DecryptionError(
          'unknown-key',
          `${where(ctx)}: data key "${keyId}" is not among the project's keys (destroyed with a deleted project or by data-key rotation)`,
        );
      }
      return unseal(dataKey.key, stored, bodyStart, associatedData(FORMAT_VERSION, keyId, ctx), authenticationFailed(ctx, keyId));
    },
    currentPrefix({ projectId, keys }) {
      const dataKey = dataKeyOf(keys, projectId, () => `project ${projectId}`);
      if (!dataKey) throw new DecryptionError('no-project-keys', `project ${projectId}: the current data key is missing`);
      return Buffer.from(partsOf(FORMAT_VERSION, dataKey.id).header);
    },
    keyIdOf(stored) {
      return parseSealedHeader(stored, READABLE_VERSIONS, where(undefined)).keyId;
    },
    worker: {
      module: new URL('./codec-worker.ts', import.meta.url).href,
      // Read when a worker starts, so the ring's text is not kept as a string meanwhile.
      get data() {
        return formatKeyRing(ring);
      },
    },
  };
}
