import { sql, type Expression, type ExpressionBuilder, type Kysely, type Insertable, type SqlBool } from 'kysely';
import type { ContentAccessLogRow, ContentAccessLogTable, Database } from '../tables';

type Db = Kysely<Database>;

// The content access log: who read span content, batched in, paged out, pruned by age.

export type NewContentAccessRow = Insertable<ContentAccessLogTable>;

/** One multi-row insert per flush of the writer. */
export async function insertContentAccessRows(db: Db, rows: NewContentAccessRow[]): Promise<void> {
  if (rows.length === 0) return;
  await db.insertInto('content_access_log').values(rows).execute();
}

export interface ContentAccessRowFilter {
  actorId?: string | null;
  traceId?: string | null;
  via?: string | null;
  from?: Date | null;
  to?: Date | null;
}

function conditions(eb: ExpressionBuilder<Database, 'content_access_log'>, projectId: string, f: ContentAccessRowFilter): Expression<SqlBool>[] {
  const out: Expression<SqlBool>[] = [eb('project_id', '=', projectId)];
  if (f.actorId) out.push(eb('actor_id', '=', f.actorId));
  if (f.traceId) out.push(eb('trace_id', '=', f.traceId));
  if (f.via) out.push(eb('via', '=', f.via));
  if (f.from) out.push(eb('at', '>=', f.from));
  if (f.to) out.push(eb('at', '<', f.to));
  return out;
}

/** Newest first, keyset on id (strictly below `beforeId`). */
export function findContentAccessPage(db: Db, projectId: string, filter: ContentAccessRowFilter, beforeId: string | null, limit: number): Promise<ContentAccessLogRow[]> {
  return db
    .selectFrom('content_access_log')
    .selectAll()
    .where((eb) => {
      const c = conditions(eb, projectId, filter);
      if (beforeId !== null) c.push(eb('id', '<', beforeId));
      return eb.and(c);
    })
    .orderBy('id', 'desc')
    .limit(limit)
    .execute();
}

export async function countContentAccessRows(db: Db, projectId: string, filter: ContentAccessRowFilter): Promise<number> {
  const r = await db
    .selectFrom('content_access_log')
    .select((eb) => eb.fn.countAll<string | number>().as('n'))
    .where((eb) => eb.and(conditions(eb, projectId, filter)))
    .executeTakeFirstOrThrow();
  return Number(r.n);
}

/** Deletes up to `limit` entries older than `before`; returns how many. */
export async function pruneContentAccessRows(db: Db, before: Date, limit: number): Promise<number> {
  const { rows } = await sql<{ n: number | string }>`
    with gone as (
      delete from content_access_log where id in (select id from content_access_log where at < ${before} order by at limit ${limit})
      returning 1
    )
    select count(*) as n from gone`.execute(db);
  return Number(rows[0]?.n ?? 0);
}
