import type { Kysely } from 'kysely';
import type { ContentCodec, ProjectKeys, StoredProjectKey } from '../../plugins/core/index';
import { findProjectDataKeys, insertFirstProjectDataKey } from '../db/repositories/project-data-keys';
import type { Database } from '../db/tables';

// The server's side of envelope encryption. A codec with `projectKeys` (the encryption
// plugin's) makes and seals each project's data keys; the server stores the sealed bytes
// (project_data_keys), opens them through the codec, and keeps the opened set in memory for a
// minute, so a busy project costs one key lookup a minute per server, not one per request.
//
// Several servers: a set opened here may miss a key another server has just added (data-key
// rotation). Readers meeting a value under a key they lack reload once (`fresh`); writers pick
// up a new current key within KEY_CACHE_MS, and the rotation command waits that long before it
// retires an old key. A deleted project's keys may stay in other servers' memory for at most
// KEY_CACHE_MS; nothing reads or writes the project there once its rows are gone.

export const KEY_CACHE_MS = 60_000;
/** Readers may force a reload this often at most, however many unreadable values they meet. */
const FRESH_RELOAD_MIN_MS = 5_000;
const MAX_CACHED_PROJECTS = 10_000;

export interface ProjectKeyStore {
  /** True when the codec keeps keys per project (otherwise forProject resolves undefined). */
  readonly enabled: boolean;
  /**
   * The project's opened keys; undefined when the codec keeps none. A project without a stored
   * key (created before envelope encryption) gets its first one here. Throws the codec's
   * CodecError when a stored key cannot be opened (its master key left the ring).
   */
  forProject(projectId: string, options?: { fresh?: boolean }): Promise<ProjectKeys | undefined>;
  /** Creates a project's first data key in the caller's transaction (project creation). */
  createFirstKey(db: Kysely<Database>, projectId: string): Promise<void>;
  /** Drops a project's cached set (deleted here, or its keys changed by a command of this process). */
  forget(projectId: string): void;
}

interface CacheEntry {
  keys: Promise<ProjectKeys>;
  loadedAt: number;
  /** When a reader last forced a reload (a value under a key the set lacked). */
  freshAt: number;
}

// The sealed keys each opened set was opened from: what the codec's worker thread opens for
// itself (encode-pool.ts), so that no opened key leaves this thread.
const storedKeys = new WeakMap<ProjectKeys, readonly StoredProjectKey[]>();

/** The sealed keys `keys` was opened from, when this store opened it. */
export function storedKeysOf(keys: ProjectKeys): readonly StoredProjectKey[] | undefined {
  return storedKeys.get(keys);
}

export function createProjectKeyStore(db: Kysely<Database>, codec: ContentCodec, options: { cacheMs?: number } = {}): ProjectKeyStore {
  const hooks = codec.projectKeys;
  const cacheMs = options.cacheMs ?? KEY_CACHE_MS;
  const cache = new Map<string, CacheEntry>();

  async function load(projectId: string): Promise<ProjectKeys> {
    let rows = await findProjectDataKeys(db, projectId);
    if (rows.length === 0) {
      await insertFirstProjectDataKey(db, projectId, hooks!.create(projectId));
      rows = await findProjectDataKeys(db, projectId);
    }
    const stored = rows.map((r) => ({ id: r.id, wrapped: r.wrapped }));
    const opened = hooks!.open(projectId, stored);
    storedKeys.set(opened, stored);
    return opened;
  }

  return {
    enabled: hooks !== undefined,
    async forProject(projectId, { fresh = false } = {}) {
      if (!hooks) return undefined;
      const now = Date.now();
      const cached = cache.get(projectId);
      const forced = fresh && (!cached || now - cached.freshAt >= FRESH_RELOAD_MIN_MS);
      const stale = !cached || now - cached.loadedAt >= cacheMs || forced;
      if (!stale) return cached.keys;
      const keys = load(projectId);
      const entry = { keys, loadedAt: now, freshAt: forced ? now : (cached?.freshAt ?? 0) };
      cache.delete(projectId);
      if (cache.size >= MAX_CACHED_PROJECTS) cache.delete(cache.keys().next().value!);
      cache.set(projectId, entry);
      // A failed load is not cached: the next call tries again.
      keys.catch(() => {
        if (cache.get(projectId) === entry) cache.delete(projectId);
      });
      return keys;
    },
    async createFirstKey(trx, projectId) {
      if (hooks) await insertFirstProjectDataKey(trx, projectId, hooks.create(projectId));
    },
    forget(projectId) {
      cache.delete(projectId);
    },
  };
}
