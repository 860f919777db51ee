import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import { CodecError, type ContentCodec } from '../../plugins/core/index';
import { findDataKeysPage, replaceWrappedDataKey } from '../db/repositories/project-data-keys';
import type { Database } from '../db/tables';

// Master-key rotation under envelope encryption: every project's data key is sealed again
// under the ring's primary master key (codec.projectKeys.rewrap). The content those keys
// sealed is not touched, so this takes one small write per project, not one per span. Once
// it reports nothing left, the old master key can leave the ring — and with it, every copy of
// a deleted project's wrapped key that a backup still holds becomes unreadable.

const PAGE = 500;

export interface RewrapResult {
  /** Data keys looked at. */
  keys: number;
  /** Data keys sealed again under the primary master key. */
  rewrapped: number;
  /** Data keys that could not be opened (left as they are, logged by project and key id). */
  failed: number;
  failures: Record<string, number>;
}

export interface RewrapOptions {
  db: Kysely<Database>;
  codec: ContentCodec;
  logger?: Pick<Logger, 'error'>;
  /** Only these projects (tests sharing one database). */
  projectIds?: string[];
}

export async function rewrapDataKeys(options: RewrapOptions): Promise<RewrapResult> {
  const { db, codec, logger } = options;
  const result: RewrapResult = { keys: 0, rewrapped: 0, failed: 0, failures: {} };
  const hooks = codec.projectKeys;
  if (!hooks) return result;
  let after: { projectId: string; id: string } | undefined;
  for (;;) {
    const page = await findDataKeysPage(db, after, PAGE, options.projectIds);
    if (page.length === 0) break;
    for (const row of page) {
      result.keys += 1;
      try {
        const rewrapped = hooks.rewrap(row.project_id, { id: row.id, wrapped: row.wrapped });
        // Compare-and-set: a key replaced meanwhile by another rotation is left to it.
        if (rewrapped && (await replaceWrappedDataKey(db, { projectId: row.project_id, id: row.id, from: row.wrapped, to: rewrapped }))) {
          result.rewrapped += 1;
        }
      } catch (err) {
        if (!(err instanceof CodecError)) throw err;
        result.failed += 1;
        result.failures[err.reason] = (result.failures[err.reason] ?? 0) + 1;
        logger?.error({ projectId: row.project_id, dataKeyId: row.id, reason: err.reason, detail: err.message }, 'keys:rotate: cannot open a data key; left as it is');
      }
    }
    const last = page.at(-1)!;
    after = { projectId: last.project_id, id: last.id };
  }
  return result;
}
