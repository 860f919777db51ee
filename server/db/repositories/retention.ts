import { sql, type Kysely } from 'kysely';
import type { Database, ProjectRow } from '../tables';

type Db = Kysely<Database>;

// Queries of the retention job (server/services/retention/run-retention.ts). Each is one short
// statement over a bounded batch, so it never holds ingest up for longer than one batch.

/** Projects that set any retention (settings JSON: retention.contentDays / retention.traceDays). */
export function findProjectsWithRetention(db: Db): Promise<Pick<ProjectRow, 'id' | 'settings'>[]> {
  return db
    .selectFrom('projects')
    .select(['id', 'settings'])
    .where(sql<boolean>`(settings -> 'retention' ->> 'contentDays') is not null or (settings -> 'retention' ->> 'traceDays') is not null`)
    .orderBy('id')
    .execute();
}

export interface TraceBatchResult {
  /** Traces deleted, with their spans. */
  traces: number;
  spans: number;
  /** Traces past the cutoff that an ingest was writing: left for the next run. */
  skipped: number;
  /** Where the next batch starts (null when this one found no candidates). */
  next: { startTime: Date; id: string } | null;
}

/**
 * Deletes up to `limit` traces that started before `cutoff`, oldest first from `after`, with
 * their spans. A trace an ingest is writing right now holds ingest's per-trace advisory lock
 * (lockTraces in spans.ts, same key); it is skipped with pg_try_advisory_xact_lock rather than
 * waited for, so retention never makes ingest wait and never waits on it.
 */
export async function deleteExpiredTraces(
  db: Db,
  projectId: string,
  cutoff: Date,
  after: { startTime: Date; id: string } | null,
  limit: number,
): Promise<TraceBatchResult> {
  return db.transaction().execute(async (trx) => {
    const { rows: candidates } = await sql<{ id: string; start_time: Date; locked: boolean }>`
      with candidates as materialized (
        select id, start_time from traces
        where project_id = ${projectId} and start_time < ${cutoff}
          ${after ? sql`and (start_time, id) > (${after.startTime}, ${after.id})` : sql``}
        order by start_time, id
        limit ${limit}
      )
      select id, start_time, pg_try_advisory_xact_lock(hashtextextended(${projectId}::text || '/' || id, 0)) as locked
      from candidates order by start_time, id`.execute(trx);
    if (candidates.length === 0) return { traces: 0, spans: 0, skipped: 0, next: null };
    const locked = candidates.filter((c) => c.locked).map((c) => c.id);
    let spans = 0;
    let traces = 0;
    if (locked.length > 0) {
      const s = await trx.deleteFrom('spans').where('project_id', '=', projectId).where('trace_id', 'in', locked).executeTakeFirst();
      const t = await trx.deleteFrom('traces').where('project_id', '=', projectId).where('id', 'in', locked).executeTakeFirst();
      spans = Number(s.numDeletedRows);
      traces = Number(t.numDeletedRows);
    }
    const last = candidates.at(-1)!;
    return { traces, spans, skipped: candidates.length - locked.length, next: { startTime: last.start_time, id: last.id } };
  });
}

/**
 * Drops input, output and statusMessage of up to `limit` spans that started before `cutoff`,
 * oldest first; tokens, cost, timings and names stay. Rows an ingest holds are skipped (SKIP
 * LOCKED) and left for the next run. Returns how many spans were emptied.
 */
export async function removeExpiredContent(db: Db, projectId: string, cutoff: Date, limit: number): Promise<number> {
  const { rows } = await sql<{ n: number | string }>`
    with batch as (
      select id from spans
      where project_id = ${projectId} and start_time < ${cutoff}
        and (input is not null or output is not null or status_message is not null)
      order by start_time
      limit ${limit}
      for update skip locked
    ), emptied as (
      update spans set input = null, output = null, status_message = null, content_removed_at = now()
      from batch where spans.project_id = ${projectId} and spans.id = batch.id
      returning 1
    )
    select count(*) as n from emptied`.execute(db);
  return Number(rows[0]?.n ?? 0);
}
