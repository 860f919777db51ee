import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import { CodecError, type CodecContext, type ContentCodec, type ProjectKeys } from '../../plugins/core/index';
import { countSpansToReseal, findSpansToResealPage, lockSpansToReseal, updateResealedContent } from '../db/repositories/content-reseal';
import { findAllProjectIds } from '../db/repositories/projects';
import type { Database } from '../db/tables';
import type { ProjectKeyStore } from './project-keys';

// Re-seals span content that is not under the codec's current key for its project: content
// from before envelope encryption (sealed with a master key directly), and content under a
// project's older data key after `npm run keys:rotate-data`. It reaches the codec only through
// the contract: the rotation hook `currentPrefix` says which values are current, decode and
// encode do the work. Used by `keys:rotate`, `keys:rotate-data` and the server's background
// envelope migration.
//
// Online: it walks each project's spans in id order, a batch at a time, each batch its own
// short transaction. Rows are locked FOR UPDATE SKIP LOCKED, so ingest never waits on us for
// long and we never wait on it; a row an ingest holds is retried at the end. A concurrent
// upsert waits for our batch and then applies on top of the re-sealed value, so nothing it
// writes is lost. Resumable: rows are chosen in SQL by their prefix, so a rerun skips finished ones.

export const DEFAULT_RESEAL_BATCH_ROWS = 500;
/** Content held in memory per batch, whatever the row count: a span may carry megabytes. */
export const RESEAL_BATCH_BYTES = 16 * 1024 * 1024;
const LOCKED_RETRIES = 5;
/** Failures logged one by one per reason; beyond that they are counted (a missing key fails every value it sealed). */
const LOGGED_FAILURES_PER_REASON = 10;

export interface ResealProgress {
  /** Rows holding a value to re-seal when the run started (in scope). */
  expected: number;
  /** Rows written. */
  rows: number;
  /** Values re-sealed. */
  values: number;
  /** Values that could not be decrypted (left as they are, logged). */
  failed: number;
  elapsedMs: number;
}

export interface ResealResult extends ResealProgress {
  /** Undecryptable values by reason (`unknown-key`, `authentication-failed`, …). */
  failures: Record<string, number>;
  /** Projects whose keys could not be opened (their content was left alone). */
  unopenedProjects: string[];
  /** Rows still holding a value to re-seal at the end: failures, rows held by a writer throughout, or rows written meanwhile under an older key. */
  remaining: number;
}

export interface ResealContentOptions {
  db: Kysely<Database>;
  codec: ContentCodec;
  keyStore: ProjectKeyStore;
  logger?: Pick<Logger, 'error' | 'warn'>;
  batchRows?: number;
  batchBytes?: number;
  /** Wait between batches, to leave more of the database to a busy server. @default 0 */
  pauseMs?: number;
  /** Only these projects (a command's argument, or tests sharing one database). */
  projectIds?: string[];
  onProgress?: (progress: ResealProgress) => void;
  /** Stops between batches (server shutdown); the rest is left for a later run. */
  signal?: AbortSignal;
}

export class ResealRefused extends Error {
  override name = 'ResealRefused';
}

/** The rotation hook, or a refusal naming the codec: without it there is nothing to rotate. */
export function requireRotatableCodec(codec: ContentCodec): Required<Pick<ContentCodec, 'currentPrefix'>> & ContentCodec {
  if (typeof codec.currentPrefix !== 'function') {
    throw new ResealRefused(
      `the configured content codec is "${codec.name}", which has no keys to rotate (no currentPrefix hook; ` +
        'is useEncryption() in the plugin list?)',
    );
  }
  return codec as Required<Pick<ContentCodec, 'currentPrefix'>> & ContentCodec;
}

interface ProjectScope {
  projectId: string;
  keys: ProjectKeys | undefined;
  prefix: Uint8Array;
}

export async function resealContent(options: ResealContentOptions): Promise<ResealResult> {
  const codec = requireRotatableCodec(options.codec);
  const { db, logger, keyStore } = options;
  const batchRows = options.batchRows ?? DEFAULT_RESEAL_BATCH_ROWS;
  const batchBytes = options.batchBytes ?? RESEAL_BATCH_BYTES;
  const started = Date.now();
  const failures: Record<string, number> = {};
  const unopenedProjects: string[] = [];

  // Every project in scope with its current keys (fresh: a command may just have added one).
  const scopes: ProjectScope[] = [];
  for (const projectId of options.projectIds ?? (await findAllProjectIds(db))) {
    try {
      const keys = await keyStore.forProject(projectId, { fresh: true });
      scopes.push({ projectId, keys, prefix: codec.currentPrefix({ projectId, ...(keys ? { keys } : {}) }) });
    } catch (err) {
      if (!(err instanceof CodecError)) throw err;
      unopenedProjects.push(projectId);
      logger?.error({ projectId, reason: err.reason, detail: err.message }, 'content re-seal: the project’s data keys cannot be opened; its content is left as it is');
    }
  }

  const countRemaining = async () => {
    let n = 0;
    for (const s of scopes) n += await countSpansToReseal(db, s.projectId, s.prefix);
    return n;
  };
  const progress: ResealProgress = { expected: await countRemaining(), rows: 0, values: 0, failed: 0, elapsedMs: 0 };
  const report = () => options.onProgress?.({ ...progress, elapsedMs: Date.now() - started });

  function reseal(stored: Uint8Array | null, scope: ProjectScope, ctx: CodecContext): Uint8Array | null {
    if (stored === null || Buffer.from(stored.subarray(0, scope.prefix.length)).equals(Buffer.from(scope.prefix))) return null;
    try {
      const sealed = codec.encode(codec.decode(stored, ctx), ctx);
      progress.values += 1;
      return sealed;
    } catch (err) {
      // The value stays as it is: a later run with the right key in the ring can still move it.
      progress.failed += 1;
      const reason = err instanceof CodecError ? err.reason : 'codec-error';
      failures[reason] = (failures[reason] ?? 0) + 1;
      if (failures[reason]! <= LOGGED_FAILURES_PER_REASON) {
        // Ids and the reason only, never content.
        const detail = err instanceof CodecError ? err.message : `codec threw ${err instanceof Error ? err.name : typeof err}`;
        const more = failures[reason] === LOGGED_FAILURES_PER_REASON ? ' (further failures of this kind are counted, not logged)' : '';
        logger?.error({ projectId: ctx.projectId, spanId: ctx.rowId, column: ctx.column, reason, detail }, `content re-seal: cannot decrypt a value; left as it is${more}`);
      }
      return null;
    }
  }

  /** Re-seals the rows among `ids` that still need it and are not locked; returns the ids it could not lock. */
  async function resealBatch(scope: ProjectScope, ids: string[]): Promise<string[]> {
    const seen = await db.transaction().execute(async (trx) => {
      const rows = await lockSpansToReseal(trx, scope.projectId, scope.prefix, ids);
      const updates = rows.flatMap((row) => {
        const ctx = { projectId: scope.projectId, table: 'spans', rowId: row.id, ...(scope.keys ? { keys: scope.keys } : {}) };
        const input = reseal(row.input, scope, { ...ctx, column: 'input' });
        const output = reseal(row.output, scope, { ...ctx, column: 'output' });
        return input || output ? [{ id: row.id, input, output }] : [];
      });
      await updateResealedContent(trx, scope.projectId, updates);
      progress.rows += updates.length;
      return new Set(rows.map((r) => r.id));
    });
    report();
    if (options.pauseMs) await new Promise((resolve) => setTimeout(resolve, options.pauseMs));
    // Not returned: held by a writer, or no longer in need (done meanwhile); a retry sorts them.
    return ids.filter((id) => !seen.has(id));
  }

  /** Runs candidates through resealBatch in slices of at most batchRows rows and batchBytes bytes. */
  async function resealAll(scope: ProjectScope, candidates: { id: string; bytes: number }[]): Promise<{ id: string; bytes: number }[]> {
    const skipped: string[] = [];
    let slice: string[] = [];
    let bytes = 0;
    for (const c of candidates) {
      if (options.signal?.aborted) break;
      if (slice.length > 0 && (slice.length >= batchRows || bytes + c.bytes > batchBytes)) {
        skipped.push(...(await resealBatch(scope, slice)));
        slice = [];
        bytes = 0;
      }
      slice.push(c.id);
      bytes += c.bytes;
    }
    if (slice.length > 0) skipped.push(...(await resealBatch(scope, slice)));
    const left = new Set(skipped);
    return candidates.filter((c) => left.has(c.id));
  }

  for (const scope of scopes) {
    // Keyset walk: candidates are read without locks, then locked and rewritten in batches.
    let afterId: string | undefined;
    let retry: { id: string; bytes: number }[] = [];
    while (!options.signal?.aborted) {
      const candidates = await findSpansToResealPage(db, scope.projectId, scope.prefix, afterId, batchRows);
      if (candidates.length === 0) break;
      afterId = candidates.at(-1)!.id;
      retry.push(...(await resealAll(scope, candidates)));
    }
    // Rows an ingest held when their batch came: ingest transactions are short, so a few
    // tries a moment later get them.
    for (let attempt = 0; attempt < LOCKED_RETRIES && retry.length > 0; attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 50 * 2 ** attempt));
      retry = await resealAll(scope, retry);
    }
  }

  return { ...progress, failures, unopenedProjects, remaining: await countRemaining(), elapsedMs: Date.now() - started };
}
