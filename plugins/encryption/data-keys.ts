import { createSecretKey, randomBytes, type KeyObject } from 'node:crypto';
import { CodecError, type ProjectKeyHooks, type ProjectKeys, type StoredProjectKey } from '../core/codec';
import { KEY_ID_PATTERN, type KeyRing } from './key-ring';
import { DecryptionError, lengthPrefixed, parseSealedHeader, seal, sealedHeader, unseal } from './sealed-value';

// Envelope encryption: every project has its own random AES-256 data key, and only the key
// sealed ("wrapped") under the server's master key ring is ever stored. A wrapped key:
//
//   version 1 | master key id | nonce | AES-256-GCM(32-byte data key) | tag   (sealed-value.ts)
//
// Its associated data binds a label, the version, the master key id, the project id and the
// data key's id: a wrapped key copied to another project, or renamed, fails to open.
//
// Opened keys stay inside this module: the server holds a ProjectKeys object that carries only
// ids (whatever prints or serialises it), and the codec finds the key material by that object.

export const WRAP_VERSION = 1;
const WRAP_LABEL = 'tokentrace/data-key/aes-256-gcm';
const DATA_KEY_BYTES = 32;

class OpenedProjectKeys implements ProjectKeys {
  readonly keyIds: readonly string[];
  constructor(
    readonly projectId: string,
    ids: string[],
  ) {
    this.keyIds = Object.freeze(ids);
  }
  get currentKeyId(): string {
    return this.keyIds[0]!;
  }
  toJSON(): { projectId: string; keyIds: readonly string[] } {
    return { projectId: this.projectId, keyIds: this.keyIds };
  }
}

/** Key material of the key sets this module opened, by set. */
const material = new WeakMap<ProjectKeys, ReadonlyMap<string, KeyObject>>();

export interface DataKey {
  id: string;
  key: KeyObject;
}

/**
 * The key material of `keys` for the project `projectId` (its current key, or the one named).
 * Throws `no-project-keys` for a missing set, a set this module did not open, or another
 * project's set; undefined when the set lacks the named key. `where` starts those messages (built
 * only for them: this runs for every value sealed).
 */
export function dataKeyOf(keys: ProjectKeys | undefined, projectId: string, where: () => string, keyId?: string): DataKey | undefined {
  const held = keys ? material.get(keys) : undefined;
  if (!keys || !held) {
    throw new DecryptionError('no-project-keys', `${where()}: the project's data keys were not given (the server opens them through codec.projectKeys)`);
  }
  if (keys.projectId !== projectId) {
    throw new DecryptionError('no-project-keys', `${where()}: the data keys given belong to another project`);
  }
  const id = keyId ?? keys.currentKeyId;
  const key = held.get(id);
  return key ? { id, key } : undefined;
}

function wrapAad(masterKeyId: string, projectId: string, dataKeyId: string): Buffer {
  return lengthPrefixed([WRAP_LABEL, Buffer.of(WRAP_VERSION), masterKeyId, projectId, dataKeyId]);
}

/** A new data key id: 16 characters, random (ids only need to be unique within a project). */
function newDataKeyId(): string {
  return `dk-${randomBytes(10).toString('base64url').slice(0, 13)}`;
}

export function createProjectKeyHooks(ring: KeyRing): ProjectKeyHooks {
  const wrap = (projectId: string, dataKeyId: string, raw: Buffer): Buffer =>
    seal(ring.primary.key, sealedHeader(WRAP_VERSION, ring.primary.id), wrapAad(ring.primary.id, projectId, dataKeyId), raw);

  function unwrap(projectId: string, stored: StoredProjectKey): Buffer {
    // An invalid id is not echoed: it is not ours to print.
    if (!KEY_ID_PATTERN.test(stored.id)) throw new DecryptionError('malformed', `cannot open a data key of project ${projectId}: its id is not a valid key id`);
    const where = `cannot open data key "${stored.id}" of project ${projectId}`;
    const header = parseSealedHeader(stored.wrapped, [WRAP_VERSION], where);
    const master = ring.get(header.keyId);
    if (!master) {
      throw new DecryptionError('unknown-key', `${where}: master key "${header.keyId}" is not in the key ring (keys: ${ring.ids.join(', ')})`);
    }
    const raw = unseal(master.key, stored.wrapped, header.bodyStart, wrapAad(header.keyId, projectId, stored.id), () =>
      new DecryptionError('authentication-failed', `${where}: authentication failed (altered, sealed with another master key "${header.keyId}", or belongs to another project)`),
    );
    if (raw.length !== DATA_KEY_BYTES) {
      raw.fill(0);
      throw new DecryptionError('malformed', `${where}: the data key is ${raw.length} bytes, not ${DATA_KEY_BYTES}`);
    }
    return raw;
  }

  return {
    create(projectId) {
      const id = newDataKeyId();
      const raw = randomBytes(DATA_KEY_BYTES);
      try {
        return { id, wrapped: wrap(projectId, id, raw) };
      } finally {
        raw.fill(0);
      }
    },
    open(projectId, stored) {
      if (stored.length === 0) throw new CodecError('no-project-keys', `project ${projectId} has no data key`);
      const keys = new Map<string, KeyObject>();
      for (const entry of stored) {
        const raw = unwrap(projectId, entry);
        keys.set(entry.id, createSecretKey(raw));
        raw.fill(0);
      }
      if (keys.size !== stored.length) throw new DecryptionError('malformed', `project ${projectId} lists a data key id twice`);
      const opened = new OpenedProjectKeys(projectId, stored.map((k) => k.id));
      material.set(opened, keys);
      return opened;
    },
    rewrap(projectId, stored) {
      const header = parseSealedHeader(stored.wrapped, [WRAP_VERSION], `cannot rewrap a data key of project ${projectId}`);
      if (header.keyId === ring.primary.id) return null;
      const raw = unwrap(projectId, stored);
      try {
        return wrap(projectId, stored.id, raw);
      } finally {
        raw.fill(0);
      }
    },
  };
}
