import { sql, type Kysely, type SqlBool } from 'kysely';
import type { Logger } from 'pino';
import type { ContentCodec } from '../../plugins/core/codec';
import { DecryptionError, isAesGcmCodec, storedHeader, type AesGcmCodec } from '../../plugins/encryption/aes-gcm-codec';
import type { Database } from '../db/tables';

// Key rotation for span content (`npm run keys:rotate`, server/commands/rotate-keys.ts):
// re-encrypts every stored input/output that is not sealed with the primary key, so the older
// keys can then be removed from the ring.
//
// Online: it walks spans in (project_id, id) order, a batch at a time, each batch its own short
// transaction. Rows are locked with FOR UPDATE SKIP LOCKED, so ingest is never made to wait
// long and never deadlocks with us (we never wait for a lock); a row an ingest holds is
// retried at the end. A concurrent upsert waits for our batch and then applies on top of the
// re-encrypted value, so nothing it writes is lost. Resumable: rows are chosen by the key id in
// each value's header, compared in SQL, so a rerun skips what is already under the primary key.

export const DEFAULT_ROTATION_BATCH_ROWS = 500;
/** Content held in memory per batch, whatever the row count: a span may carry megabytes. */
export const ROTATION_BATCH_BYTES = 16 * 1024 * 1024;
const LOCKED_RETRIES = 5;
/** Failures logged one by one per reason; beyond that they are counted (a missing key fails every value it sealed). */
const LOGGED_FAILURES_PER_REASON = 10;

export interface RotationProgress {
  /** Rows holding a value under another key when the run started (in scope). */
  expected: number;
  /** Rows written. */
  rows: number;
  /** Values re-encrypted. */
  values: number;
  /** Values that could not be decrypted (left as they are, logged). */
  failed: number;
  elapsedMs: number;
}

export interface RotationResult extends RotationProgress {
  primaryKeyId: string;
  /** Undecryptable values by reason (`unknown-key`, `authentication-failed`, …). */
  failures: Record<string, number>;
  /** Key ids found in stored values but missing from the ring: put them back to rotate those values. */
  missingKeyIds: string[];
  /** Rows still holding a value under another key at the end: failures, rows held by a writer throughout, or rows written meanwhile by a server still on the old primary key. */
  remaining: number;
}

export interface RotateContentKeysOptions {
  db: Kysely<Database>;
  /** The codec the server uses; must be the encryption plugin's AES-256-GCM codec. */
  codec: ContentCodec;
  logger?: Pick<Logger, 'error' | 'warn'>;
  batchRows?: number;
  batchBytes?: number;
  /** Wait between batches, to leave more of the database to a busy server. @default 0 */
  pauseMs?: number;
  /** Only these projects (tests sharing one database; one project at a time). */
  projectIds?: string[];
  onProgress?: (progress: RotationProgress) => void;
}

interface RowKey {
  project_id: string;
  id: string;
  /** Content size when chosen, to bound a batch's memory. */
  bytes: number;
}

export class RotationRefused extends Error {
  override name = 'RotationRefused';
}

export function requireAesGcmCodec(codec: ContentCodec): AesGcmCodec {
  if (!isAesGcmCodec(codec)) {
    throw new RotationRefused(
      `the configured content codec is "${codec.name}", not the encryption plugin's AES-256-GCM codec: ` +
        'there are no keys to rotate (is useEncryption() in the plugin list?)',
    );
  }
  return codec;
}

export async function rotateContentKeys(options: RotateContentKeysOptions): Promise<RotationResult> {
  const codec = requireAesGcmCodec(options.codec);
  const { db, logger } = options;
  const batchRows = options.batchRows ?? DEFAULT_ROTATION_BATCH_ROWS;
  const batchBytes = options.batchBytes ?? ROTATION_BATCH_BYTES;
  const started = Date.now();

  // A value is under the primary key exactly when it starts with the primary key's header
  // (version, id length, id): the length byte keeps "k1" from matching "k10".
  const header = storedHeader(codec.primaryKeyId);
  const n = sql.lit(header.length);
  const underOtherKey = (column: 'input' | 'output') =>
    sql<SqlBool>`(${sql.ref(column)} is not null and substring(${sql.ref(column)} from 1 for ${n}) <> ${header}::bytea)`;
  const needsRotation = sql<SqlBool>`(${underOtherKey('input')} or ${underOtherKey('output')})`;
  const inScope = options.projectIds ? sql<SqlBool>`project_id = any(${options.projectIds}::uuid[])` : sql<SqlBool>`true`;

  const countRemaining = async () =>
    Number(
      (
        await db
          .selectFrom('spans')
          .select((eb) => eb.fn.countAll<string | number>().as('n'))
          .where(inScope)
          .where(needsRotation)
          .executeTakeFirstOrThrow()
      ).n,
    );

  const progress: RotationProgress = { expected: await countRemaining(), rows: 0, values: 0, failed: 0, elapsedMs: 0 };
  const report = () => options.onProgress?.({ ...progress, elapsedMs: Date.now() - started });
  const failures: Record<string, number> = {};
  const missingKeyIds = new Set<string>();

  /** Re-encrypts the rows among `keys` that still need it and are not locked; returns the keys it could not lock. */
  async function rotateBatch(keys: RowKey[]): Promise<RowKey[]> {
    const locked = await db.transaction().execute(async (trx) => {
      const rows = await trx
        .selectFrom('spans')
        .select(['project_id', 'id', 'input', 'output'])
        .where(
          sql<SqlBool>`(project_id, id) in (select * from unnest(${keys.map((k) => k.project_id)}::uuid[], ${keys.map((k) => k.id)}::text[]))`,
        )
        .where(needsRotation)
        .orderBy('project_id')
        .orderBy('id')
        .forUpdate()
        .skipLocked()
        .execute();
      const updates = rows.flatMap((row) => {
        const ctx = { projectId: row.project_id, table: 'spans', rowId: row.id };
        const input = reseal(row.input, { ...ctx, column: 'input' });
        const output = reseal(row.output, { ...ctx, column: 'output' });
        return input || output ? [sql`(${row.project_id}::uuid, ${row.id}::text, ${input}::bytea, ${output}::bytea)`] : [];
      });
      if (updates.length > 0) {
        // null leaves a column as it is (already under the primary key, or unreadable).
        // updated_at is left alone: the content did not change, only its sealing.
        await sql`
          update spans set input = coalesce(v.input, spans.input), output = coalesce(v.output, spans.output)
          from (values ${sql.join(updates)}) as v(project_id, id, input, output)
          where spans.project_id = v.project_id and spans.id = v.id`.execute(trx);
      }
      progress.rows += updates.length;
      return new Set(rows.map((r) => `${r.project_id}/${r.id}`));
    });
    report();
    if (options.pauseMs) await new Promise((resolve) => setTimeout(resolve, options.pauseMs));
    // Not returned: held by a writer, or no longer in need (rotated meanwhile); a retry sorts them.
    return keys.filter((k) => !locked.has(`${k.project_id}/${k.id}`));
  }

  function reseal(stored: Uint8Array | null, ctx: { projectId: string; table: string; rowId: string; column: string }): Uint8Array | null {
    if (stored === null) return null;
    let keyId: string | undefined;
    try {
      keyId = codec.keyIdOf(stored);
      if (keyId === codec.primaryKeyId) return null;
      const sealed = codec.encode(codec.decode(stored, ctx), ctx);
      progress.values += 1;
      return sealed;
    } catch (err) {
      // The value stays as it is: a later run with the right key in the ring can still rotate it.
      progress.failed += 1;
      const reason = err instanceof DecryptionError ? err.reason : 'codec-error';
      failures[reason] = (failures[reason] ?? 0) + 1;
      if (reason === 'unknown-key' && keyId) missingKeyIds.add(keyId);
      if (failures[reason]! <= LOGGED_FAILURES_PER_REASON) {
        // Ids and the reason only, never content.
        const detail = err instanceof DecryptionError ? err.message : `codec threw ${err instanceof Error ? err.name : typeof err}`;
        const more = failures[reason] === LOGGED_FAILURES_PER_REASON ? ' (further failures of this kind are counted, not logged)' : '';
        logger?.error({ projectId: ctx.projectId, spanId: ctx.rowId, column: ctx.column, reason, detail }, `keys:rotate: cannot decrypt a value; left as it is${more}`);
      }
      return null;
    }
  }

  /** Runs `keys` through rotateBatch in slices of at most batchRows rows and batchBytes bytes. */
  async function rotateAll(keys: RowKey[]): Promise<RowKey[]> {
    const skipped: RowKey[] = [];
    let slice: RowKey[] = [];
    let bytes = 0;
    for (const key of keys) {
      if (slice.length > 0 && (slice.length >= batchRows || bytes + key.bytes > batchBytes)) {
        skipped.push(...(await rotateBatch(slice)));
        slice = [];
        bytes = 0;
      }
      slice.push(key);
      bytes += key.bytes;
    }
    if (slice.length > 0) skipped.push(...(await rotateBatch(slice)));
    return skipped;
  }

  // Keyset walk: candidates are read without locks (a plain index-order scan), then locked and
  // rewritten in their own transaction.
  let cursor: RowKey | undefined;
  let retry: RowKey[] = [];
  for (;;) {
    const after = cursor;
    const candidates = await db
      .selectFrom('spans')
      .select(['project_id', 'id', sql<string | number>`coalesce(octet_length(input), 0)::bigint + coalesce(octet_length(output), 0)`.as('bytes')])
      .where(inScope)
      .where(needsRotation)
      .$if(after !== undefined, (qb) => qb.where(sql<SqlBool>`(project_id, id) > (${after!.project_id}::uuid, ${after!.id}::text)`))
      .orderBy('project_id')
      .orderBy('id')
      .limit(batchRows)
      .execute();
    if (candidates.length === 0) break;
    const keys = candidates.map((c) => ({ project_id: c.project_id, id: c.id, bytes: Number(c.bytes) }));
    cursor = keys.at(-1);
    retry.push(...(await rotateAll(keys)));
  }

  // Rows an ingest held when their batch came: ingest transactions are short, so a few tries
  // a moment later get them.
  for (let attempt = 0; attempt < LOCKED_RETRIES && retry.length > 0; attempt++) {
    await new Promise((resolve) => setTimeout(resolve, 50 * 2 ** attempt));
    retry = await rotateAll(retry);
  }

  const remaining = await countRemaining();
  return {
    ...progress,
    primaryKeyId: codec.primaryKeyId,
    failures,
    missingKeyIds: [...missingKeyIds].sort(),
    remaining,
    elapsedMs: Date.now() - started,
  };
}
