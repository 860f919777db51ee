import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { Database } from '../tables';
import { likePattern } from './trace-list';

type Db = Kysely<Database>;

// Traces grouped by session or by end user, aggregated from the trace roll-ups when read. The
// groups of a page are found through the (project_id, session_id | user_id, start_time desc)
// indexes; a group's page position is its latest trace, so pages are keyset on
// (max(start_time), group id) through HAVING. This reads every trace of the groups in the time
// window: fine for the dashboard's windows (days to weeks); a project that outgrows it needs
// roll-up rows per session written at ingest.

export type GroupColumn = 'session_id' | 'user_id';

export interface GroupFilter {
  from?: Date | null;
  to?: Date | null;
  /** Case-insensitive substring of the session or user id. */
  idContains?: string | null;
  /** Sessions only: sessions with a trace of this end user. */
  userId?: string | null;
}

export interface TraceGroupRow {
  id: string;
  traceCount: number;
  /** Distinct sessions (for users) or users (for sessions). */
  otherCount: number;
  /** Up to five of the other ids: a session's users, a user's latest sessions. */
  otherIds: string[];
  totalTokens: number;
  /** Sum of the known trace costs; null when none of the group's traces has one. */
  totalCostUsd: number | null;
  /** Traces whose cost is unknown (no price, or no usage reported). */
  unpricedTraces: number;
  errorCount: number;
  errorTraces: number;
  firstStartTime: Date;
  lastStartTime: Date;
  lastEndTime: Date | null;
}

export interface GroupKeyset {
  lastStartTime: string;
  id: string;
}

function conditions(projectId: string, column: GroupColumn, f: GroupFilter): RawBuilder<unknown> {
  const parts: RawBuilder<unknown>[] = [sql`project_id = ${projectId}`, sql`${sql.ref(column)} is not null`];
  if (f.from) parts.push(sql`start_time >= ${f.from}`);
  if (f.to) parts.push(sql`start_time < ${f.to}`);
  if (f.idContains) parts.push(sql`${sql.ref(column)} ilike ${likePattern(f.idContains)}`);
  if (f.userId && column === 'session_id') parts.push(sql`user_id = ${f.userId}`);
  return sql.join(parts, sql` and `);
}

interface RawGroup {
  id: string;
  trace_count: string | number;
  other_count: string | number;
  other_ids: string[] | null;
  total_tokens: string | number | null;
  total_cost_usd: number | null;
  unpriced: string | number;
  error_count: string | number | null;
  error_traces: string | number;
  first_start: Date | string;
  last_start: Date | string;
  last_start_text: string;
  last_end: Date | string | null;
}

export type TraceGroupPageRow = TraceGroupRow & { cursorKey: string };

function toRow(r: RawGroup): TraceGroupPageRow {
  return {
    id: r.id,
    traceCount: Number(r.trace_count),
    otherCount: Number(r.other_count),
    otherIds: (r.other_ids ?? []).filter((x) => x !== null),
    totalTokens: Number(r.total_tokens ?? 0),
    totalCostUsd: r.total_cost_usd === null ? null : Number(r.total_cost_usd),
    unpricedTraces: Number(r.unpriced),
    errorCount: Number(r.error_count ?? 0),
    errorTraces: Number(r.error_traces),
    firstStartTime: new Date(r.first_start),
    lastStartTime: new Date(r.last_start),
    lastEndTime: r.last_end === null ? null : new Date(r.last_end),
    cursorKey: r.last_start_text,
  };
}

function aggregate(column: GroupColumn): RawBuilder<unknown> {
  const other = sql.ref(column === 'session_id' ? 'user_id' : 'session_id');
  return sql`
    ${sql.ref(column)} as id,
    count(*) as trace_count,
    count(distinct ${other}) as other_count,
    (array_agg(distinct ${other}) filter (where ${other} is not null))[1:5] as other_ids,
    sum(total_tokens) as total_tokens,
    sum(total_cost_usd) as total_cost_usd,
    count(*) filter (where total_cost_usd is null) as unpriced,
    sum(error_count) as error_count,
    count(*) filter (where error_count > 0) as error_traces,
    min(start_time) as first_start,
    max(start_time) as last_start,
    to_char(max(start_time) at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as last_start_text,
    max(end_time) as last_end`;
}

/** Groups, latest activity first, `limit` after `after`. */
export async function findTraceGroupPage(db: Db, projectId: string, column: GroupColumn, filter: GroupFilter, after: GroupKeyset | null, limit: number): Promise<TraceGroupPageRow[]> {
  const having = after ? sql`having (max(start_time), ${sql.ref(column)}) < (${after.lastStartTime}::timestamptz, ${after.id})` : sql``;
  const result = await sql<RawGroup>`
    select ${aggregate(column)}
    from traces
    where ${conditions(projectId, column, filter)}
    group by ${sql.ref(column)}
    ${having}
    order by max(start_time) desc, ${sql.ref(column)} desc
    limit ${limit}`.execute(db);
  return result.rows.map(toRow);
}

/** One group by its id; null when no trace carries it. */
export async function findTraceGroup(db: Db, projectId: string, column: GroupColumn, id: string): Promise<TraceGroupRow | null> {
  const result = await sql<RawGroup>`
    select ${aggregate(column)}
    from traces
    where project_id = ${projectId} and ${sql.ref(column)} = ${id}
    group by ${sql.ref(column)}`.execute(db);
  const row = result.rows[0];
  return row ? toRow(row) : null;
}
