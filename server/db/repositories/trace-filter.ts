import { sql, type Expression, type ExpressionBuilder, type SqlBool } from 'kysely';
import type { Database } from '../tables';

// The trace list's filter, as SQL conditions on `traces`: the list (services/traces.ts) and
// the streaming export use the same ones, so an export holds exactly what the list shows.

export type SpanStatusName = 'OK' | 'ERROR';

export interface TraceFilter {
  from?: Date | null;
  to?: Date | null;
  name?: string | null;
  userId?: string | null;
  sessionId?: string | null;
  model?: string | null;
  status?: SpanStatusName | null;
  tags?: string[] | null;
  minCostUsd?: number | null;
}

export function filterConditions(eb: ExpressionBuilder<Database, 'traces'>, projectId: string, f: TraceFilter): Expression<SqlBool>[] {
  const conditions: Expression<SqlBool>[] = [eb('traces.project_id', '=', projectId)];
  if (f.from) conditions.push(eb('traces.start_time', '>=', f.from));
  if (f.to) conditions.push(eb('traces.start_time', '<', f.to));
  if (f.name) conditions.push(eb('traces.name', '=', f.name));
  if (f.userId) conditions.push(eb('traces.user_id', '=', f.userId));
  if (f.sessionId) conditions.push(eb('traces.session_id', '=', f.sessionId));
  if (f.status === 'ERROR') conditions.push(eb('traces.error_count', '>', 0));
  if (f.status === 'OK') conditions.push(eb('traces.error_count', '=', 0));
  if (f.tags && f.tags.length > 0) conditions.push(sql<SqlBool>`traces.tags @> ${f.tags}::text[]`);
  if (f.minCostUsd != null) conditions.push(eb('traces.total_cost_usd', '>=', f.minCostUsd));
  if (f.model) {
    const model = f.model;
    conditions.push(
      eb.exists(
        eb
          .selectFrom('spans')
          .select(sql`1`.as('one'))
          .where('spans.project_id', '=', projectId)
          .whereRef('spans.trace_id', '=', 'traces.id')
          .where('spans.model', '=', model),
      ),
    );
  }
  return conditions;
}

