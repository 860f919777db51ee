import type { ContentCodec, ProjectKeys } from '../../../plugins/core/index';
import { encodeContent, encodeContentText } from '../../storage/content';
import { KEY_CACHE_MS } from '../../storage/project-keys';
import type { SealFor } from './sealed-in-worker';

// Sealing span content inside a worker thread: the codec's worker (encode-worker.ts) and the two
// read workers (otlp-read-worker.ts, graphql-read-worker.ts), which seal what they read when the
// server asks (early-sealing.ts). Each worker makes its own codec from the server's (CodecWorker)
// and opens each project's sealed data keys with it; opened keys never cross threads.

/** Made by the server from its codec's CodecWorker: what a worker builds its sealer from. */
export interface SealerData {
  /** CodecWorker.module and .data of the server's codec. */
  codecModule: string;
  codecData: unknown;
  /** How long an opened key set is kept (tests shorten it); by default a little under a minute. */
  keyKeepMs?: number;
}

/** What a worker needs to make the server's codec: undefined when the codec cannot run in one. */
export function sealerDataOf(codec: ContentCodec, keyKeepMs?: number): SealerData | undefined {
  const spec = codec.worker;
  return spec ? { codecModule: spec.module, codecData: spec.data, ...(keyKeepMs !== undefined ? { keyKeepMs } : {}) } : undefined;
}

export interface Sealer {
  /**
   * Part k is the input (k even) or output (k odd) of row `rowIds[k >> 1]`: its JSON text when
   * `texts[k]` is set, otherwise the value `values?.[k]`. Null stays null.
   */
  seal(target: SealFor, rowIds: readonly string[], texts: readonly (Uint8Array | null)[], values?: readonly unknown[]): (Uint8Array | null)[];
}

const MAX_PROJECTS = 10_000;
// A set is opened again after a minute, as the server's own cache does (project-keys.ts), and
// dropped by then even when unused: a deleted project's keys stay in this process's memory no
// longer than docs/security.md says.
const SWEEP_MS = 5_000;

/** Imports the codec module and makes the worker's codec; rejects when it cannot. */
export async function createSealer(data: SealerData): Promise<Sealer> {
  const mod = (await import(data.codecModule)) as { createCodec?: (data: unknown) => ContentCodec };
  if (typeof mod.createCodec !== 'function') throw new Error(`${data.codecModule} does not export createCodec`);
  const codec = mod.createCodec(data.codecData);
  const keepMs = data.keyKeepMs ?? KEY_CACHE_MS - SWEEP_MS;
  const opened = new Map<string, { ids: string; keys: ProjectKeys; openedAt: number }>();
  setInterval(
    () => {
      const now = Date.now();
      for (const [projectId, entry] of opened) if (now - entry.openedAt >= keepMs) opened.delete(projectId);
    },
    Math.min(SWEEP_MS, keepMs),
  ).unref();

  function keysFor(target: SealFor): ProjectKeys | undefined {
    if (!target.keys || !codec.projectKeys) return undefined;
    // The server reopens a project's keys every minute and after a data-key rotation: a new key id
    // list is a new set; the same ids are the same keys (a master-key rewrap changes only the seal).
    const ids = target.keys.map((k) => k.id).join(',');
    const cached = opened.get(target.projectId);
    const now = Date.now();
    if (cached && cached.ids === ids && now - cached.openedAt < keepMs) return cached.keys;
    const keys = codec.projectKeys.open(target.projectId, target.keys);
    opened.delete(target.projectId);
    if (opened.size >= MAX_PROJECTS) opened.delete(opened.keys().next().value!);
    opened.set(target.projectId, { ids, keys, openedAt: now });
    return keys;
  }

  return {
    seal(target, rowIds, texts, values) {
      const keys = keysFor(target);
      return texts.map((text, k) => {
        const ctx = { projectId: target.projectId, table: 'spans', rowId: rowIds[k >> 1]!, column: k % 2 === 0 ? 'input' : 'output' };
        const where = keys ? { ...ctx, keys } : ctx;
        return text ? encodeContentText(codec, text, where) : encodeContent(codec, values?.[k] ?? null, where);
      });
    },
  };
}
