import { sql, type Kysely } from 'kysely';
import type { Database } from '../tables';

/** Deletes every trace of the project whose userId matches, and their spans; returns the counts. */
export async function deleteTracesOfEndUser(db: Kysely<Database>, projectId: string, userId: string): Promise<{ traces: number; spans: number }> {
  const { rows } = await sql<{ traces: number | string; spans: number | string }>`
    with doomed as (
      select id from traces where project_id = ${projectId} and user_id = ${userId}
    ), gone_spans as (
      delete from spans where project_id = ${projectId} and trace_id in (select id from doomed) returning 1
    ), gone_traces as (
      delete from traces where project_id = ${projectId} and id in (select id from doomed) returning 1
    )
    select (select count(*) from gone_traces) as traces, (select count(*) from gone_spans) as spans`.execute(db);
  return { traces: Number(rows[0]?.traces ?? 0), spans: Number(rows[0]?.spans ?? 0) };
}
