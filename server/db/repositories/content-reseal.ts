import { sql, type Kysely, type SqlBool } from 'kysely';
import type { Database, SpanRow } from '../tables';

type Db = Kysely<Database>;

// Queries of the content re-seal walk (server/storage/content-reseal.ts). A value needs
// re-sealing when it does not begin with the codec's current prefix for its project (the
// rotation hook of the codec contract): compared in SQL, so a rerun skips finished rows.

const needsReseal = (prefix: Uint8Array) => {
  const n = sql.lit(prefix.length);
  const other = (column: 'input' | 'output') =>
    sql<SqlBool>`(${sql.ref(column)} is not null and substring(${sql.ref(column)} from 1 for ${n}) <> ${Buffer.from(prefix)}::bytea)`;
  return sql<SqlBool>`(${other('input')} or ${other('output')})`;
};

export async function countSpansToReseal(db: Db, projectId: string, prefix: Uint8Array): Promise<number> {
  const row = await db
    .selectFrom('spans')
    .select((eb) => eb.fn.countAll<string | number>().as('n'))
    .where('project_id', '=', projectId)
    .where(needsReseal(prefix))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Candidates in id order after `afterId`, with their content size, read without locks. */
export async function findSpansToResealPage(
  db: Db,
  projectId: string,
  prefix: Uint8Array,
  afterId: string | undefined,
  limit: number,
): Promise<{ id: string; bytes: number }[]> {
  const rows = await db
    .selectFrom('spans')
    .select(['id', sql<string | number>`coalesce(octet_length(input), 0)::bigint + coalesce(octet_length(output), 0)`.as('bytes')])
    .where('project_id', '=', projectId)
    .where(needsReseal(prefix))
    .$if(afterId !== undefined, (qb) => qb.where('id', '>', afterId!))
    .orderBy('id')
    .limit(limit)
    .execute();
  return rows.map((r) => ({ id: r.id, bytes: Number(r.bytes) }));
}

/**
 * The rows among `ids` that still need it, locked FOR UPDATE SKIP LOCKED: a row an ingest holds
 * is skipped (retried later), so the walk never makes ingest wait on it, nor waits itself.
 */
export function lockSpansToReseal(
  trx: Db,
  projectId: string,
  prefix: Uint8Array,
  ids: string[],
): Promise<Pick<SpanRow, 'id' | 'input' | 'output'>[]> {
  return trx
    .selectFrom('spans')
    .select(['id', 'input', 'output'])
    .where('project_id', '=', projectId)
    .where('id', 'in', ids)
    .where(needsReseal(prefix))
    .orderBy('id')
    .forUpdate()
    .skipLocked()
    .execute();
}

/**
 * Writes re-sealed values; null leaves a column as it is (already current, or unreadable).
 * updated_at stays: the content did not change, only its sealing.
 */
export async function updateResealedContent(
  trx: Db,
  projectId: string,
  updates: { id: string; input: Uint8Array | null; output: Uint8Array | null }[],
): Promise<void> {
  if (updates.length === 0) return;
  const values = sql.join(updates.map((u) => sql`(${u.id}::text, ${u.input}::bytea, ${u.output}::bytea)`));
  await sql`
    update spans set input = coalesce(v.input, spans.input), output = coalesce(v.output, spans.output)
    from (values ${values}) as v(id, input, output)
    where spans.project_id = ${projectId} and spans.id = v.id`.execute(trx);
}
