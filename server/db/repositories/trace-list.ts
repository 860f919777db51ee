import { sql, type Expression, type ExpressionBuilder, type Kysely, type RawBuilder, type SqlBool } from 'kysely';
import type { Database, TraceRow } from '../tables';

type Db = Kysely<Database>;

// The trace list's queries: filters, one keyset page per sort, and a bounded count.
//
// Every sort has a btree index (project_id, key DESC NULLS LAST, id DESC) (migration
// 20261205000100). A page is read with a row comparison, `(key, id) < (cursorKey, cursorId)`,
// which Postgres turns into an index range: the page after row 500,000 starts where the cursor
// points instead of walking the rows before it (EXPLAIN figures: docs/architecture.md, "Finding
// traces"; bench/trace-list.ts measures it). Ascending pages walk the same index backwards. The
// spelling matters: the OR form `key < c OR (key = c AND id < i)` reads the same to a person but
// is only a filter to the planner, which then scans from the top of the index on every page.
//
// Cost and duration may be null (unpriced, still running). Nulls come last in both directions,
// so a page is read in two phases: rows with a key (the row comparison excludes nulls), then, if
// the page is not full, rows without one in id order (`key IS NULL` is an index condition too).

export type TraceSortField = 'START_TIME' | 'DURATION' | 'COST' | 'TOKENS';
export type SortDirection = 'ASC' | 'DESC';

export interface TraceRowFilter {
  from?: Date | null;
  to?: Date | null;
  name?: string | null;
  /** Case-insensitive substring of the trace name (trigram index on Postgres and PGlite). */
  nameContains?: string | null;
  userId?: string | null;
  sessionId?: string | null;
  model?: string | null;
  /** Exact model names, resolved from a substring by findModelsContaining. */
  modelIn?: string[] | null;
  /** A model substring matched span by span (when the project has too many models to list). */
  modelLike?: string | null;
  status?: 'OK' | 'ERROR' | null;
  tags?: string[] | null;
  minCostUsd?: number | null;
  /** Top-level metadata keys; each with an optional value (see metadataCondition). */
  metadata?: { key: string; value?: string | null }[] | null;
}

/** Where a page starts: the previous page's last row (its sort key as text, null for the null tail). */
export interface TraceKeyset {
  key: string | null;
  id: string;
}

/** `%`, `_` and the escape character itself match literally. */
export function likePattern(substring: string): string {
  return `%${substring.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/** The sort key of each field, as SQL; the duration expression must stay the indexed one. */
export function sortKeyOf(field: TraceSortField): RawBuilder<unknown> {
  switch (field) {
    case 'START_TIME':
      return sql`traces.start_time`;
    case 'DURATION':
      return sql`(extract(epoch from (traces.end_time - traces.start_time)))`;
    case 'COST':
      return sql`traces.total_cost_usd`;
    case 'TOKENS':
      return sql`traces.total_tokens`;
  }
}

/** The sort key as exact text for the cursor; times in UTC ISO with microseconds, whatever the session's DateStyle. */
function keyText(field: TraceSortField): RawBuilder<string | null> {
  if (field === 'START_TIME') return sql<string>`to_char(traces.start_time at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;
  return sql<string | null>`(${sortKeyOf(field)})::text`;
}

const KEY_TYPE: Record<TraceSortField, RawBuilder<unknown>> = {
  START_TIME: sql`timestamptz`,
  DURATION: sql`numeric`,
  COST: sql`double precision`,
  TOKENS: sql`bigint`,
};

/** Whether the key can be null, so that a page needs the null-tail phase. */
const NULLABLE: Record<TraceSortField, boolean> = { START_TIME: false, DURATION: true, COST: true, TOKENS: false };

/** A metadata filter: the key exists; with a value, it holds that string, or that number/boolean written as text. */
function metadataCondition(key: string, value: string | null | undefined): Expression<SqlBool> {
  if (value === null || value === undefined) return sql<SqlBool>`traces.metadata ? ${key}`;
  const candidates = [JSON.stringify({ [key]: value })];
  // "42" typed in a filter box should find {"attempt": 42} as well as {"attempt": "42"}.
  if (/^(-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?|true|false|null)$/.test(value)) candidates.push(`{${JSON.stringify(key)}:${value}}`);
  return sql<SqlBool>`(${sql.join(
    candidates.map((c) => sql`traces.metadata @> ${c}::jsonb`),
    sql` or `,
  )})`;
}

export function traceFilterConditions(eb: ExpressionBuilder<Database, 'traces'>, projectId: string, f: TraceRowFilter): Expression<SqlBool>[] {
  const conditions: Expression<SqlBool>[] = [eb('traces.project_id', '=', projectId)];
  if (f.from) conditions.push(eb('traces.start_time', '>=', f.from));
  if (f.to) conditions.push(eb('traces.start_time', '<', f.to));
  if (f.name) conditions.push(eb('traces.name', '=', f.name));
  if (f.nameContains) conditions.push(sql<SqlBool>`traces.name ilike ${likePattern(f.nameContains)}`);
  if (f.userId) conditions.push(eb('traces.user_id', '=', f.userId));
  if (f.sessionId) conditions.push(eb('traces.session_id', '=', f.sessionId));
  if (f.status === 'ERROR') conditions.push(eb('traces.error_count', '>', 0));
  if (f.status === 'OK') conditions.push(eb('traces.error_count', '=', 0));
  if (f.tags && f.tags.length > 0) conditions.push(sql<SqlBool>`traces.tags @> ${f.tags}::text[]`);
  if (f.minCostUsd != null) conditions.push(eb('traces.total_cost_usd', '>=', f.minCostUsd));
  for (const m of f.metadata ?? []) conditions.push(metadataCondition(m.key, m.value));
  const spanWith = (condition: Expression<SqlBool>) =>
    eb.exists(
      eb
        .selectFrom('spans')
        .select(sql`1`.as('one'))
        .where('spans.project_id', '=', projectId)
        .whereRef('spans.trace_id', '=', 'traces.id')
        .where(condition),
    );
  if (f.model) conditions.push(spanWith(sql<SqlBool>`spans.model = ${f.model}`));
  if (f.modelIn) conditions.push(f.modelIn.length === 0 ? sql<SqlBool>`false` : spanWith(sql<SqlBool>`spans.model = any(${f.modelIn}::text[])`));
  if (f.modelLike) conditions.push(spanWith(sql<SqlBool>`spans.model ilike ${likePattern(f.modelLike)}`));
  return conditions;
}

export type SortedTraceRow = TraceRow & { sort_key: string | null };

/**
 * One page of traces in the order of `field` and `direction`, nulls last, `limit` rows after
 * `after`. Each row carries its sort key as text (exact for numeric and float keys) for the cursor.
 */
export async function findTracePage(
  db: Db,
  projectId: string,
  filter: TraceRowFilter,
  field: TraceSortField,
  direction: SortDirection,
  after: TraceKeyset | null,
  limit: number,
): Promise<SortedTraceRow[]> {
  const key = sortKeyOf(field);
  const type = KEY_TYPE[field];
  const cmp = direction === 'DESC' ? sql.raw('<') : sql.raw('>');
  // Written to match the index exactly (or its backward scan) so that no sort runs: nullable keys
  // are indexed DESC NULLS LAST, the others plain DESC (whose backward scan is ASC).
  const order = NULLABLE[field]
    ? sql.raw(direction === 'DESC' ? 'desc nulls last' : 'asc nulls first')
    : sql.raw(direction === 'DESC' ? 'desc' : 'asc');
  const idOrder = direction === 'DESC' ? sql.raw('desc') : sql.raw('asc');
  const base = () =>
    db
      .selectFrom('traces')
      .selectAll('traces')
      .select(keyText(field).as('sort_key'));

  const rows: SortedTraceRow[] = [];
  const inNullTail = after !== null && after.key === null;
  if (!inNullTail) {
    const keyed = await base()
      .where((eb) => {
        const conditions = traceFilterConditions(eb, projectId, filter);
        if (after) conditions.push(sql<SqlBool>`(${key}, traces.id) ${cmp} (${after.key}::${type}, ${after.id})`);
        else if (NULLABLE[field]) conditions.push(sql<SqlBool>`${key} is not null`);
        return eb.and(conditions);
      })
      .orderBy(sql`${key} ${order}`)
      .orderBy(sql`traces.id ${idOrder}`)
      .limit(limit)
      .execute();
    rows.push(...(keyed as SortedTraceRow[]));
  }
  if (NULLABLE[field] && rows.length < limit) {
    const tail = await base()
      .where((eb) => {
        const conditions = traceFilterConditions(eb, projectId, filter);
        conditions.push(sql<SqlBool>`${key} is null`);
        if (inNullTail) conditions.push(sql<SqlBool>`traces.id ${cmp} ${after.id}`);
        return eb.and(conditions);
      })
      .orderBy(sql`traces.id ${idOrder}`)
      .limit(limit - rows.length)
      .execute();
    rows.push(...(tail as SortedTraceRow[]));
  }
  return rows;
}

/** Matching traces counted up to `max + 1`: enough to tell "exactly n" from "more than max". */
export async function countTracesUpTo(db: Db, projectId: string, filter: TraceRowFilter, max: number): Promise<number> {
  const inner = db
    .selectFrom('traces')
    .select(sql`1`.as('one'))
    .where((eb) => eb.and(traceFilterConditions(eb, projectId, filter)))
    .limit(max + 1);
  const r = await db
    .selectFrom(inner.as('matching'))
    .select((eb) => eb.fn.countAll<string | number>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(r.n);
}

export async function countTraces(db: Db, projectId: string, filter: TraceRowFilter): Promise<number> {
  const r = await db
    .selectFrom('traces')
    .select((eb) => eb.fn.countAll<string | number>().as('n'))
    .where((eb) => eb.and(traceFilterConditions(eb, projectId, filter)))
    .executeTakeFirstOrThrow();
  return Number(r.n);
}

/**
 * The project's distinct model names containing `substring`, or null when the project has more
 * than `scanLimit` distinct models. Distinct names are read with a skip scan over the spans
 * (project_id, model, trace_id) index — one index probe per distinct model — so a substring
 * filter on the largest table needs no index of its own, and ingest pays for none.
 */
export async function findModelsContaining(db: Db, projectId: string, substring: string, scanLimit = 5_000): Promise<string[] | null> {
  const result = await sql<{ model: string; n: number }>`
    with recursive m(model, n) as (
      (select model, 1 from spans where project_id = ${projectId} and model is not null order by model limit 1)
      union all
      select (select s.model from spans s where s.project_id = ${projectId} and s.model > m.model order by s.model limit 1), m.n + 1
      from m where m.model is not null and m.n <= ${scanLimit}
    )
    select model, n from m where model is not null`.execute(db);
  if (result.rows.some((r) => Number(r.n) > scanLimit)) return null;
  const needle = substring.toLowerCase();
  return result.rows.map((r) => r.model).filter((model) => model.toLowerCase().includes(needle));
}
