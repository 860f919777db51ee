import { CompiledQuery, sql, type Kysely } from 'kysely';
import type { Database, NewSpanRow, SpanRow, TraceRow } from '../tables';
import { INGEST_WRITE } from './ingest-statement-marks';
import { textPerRowCount } from './statement-text-cache';
import { JIT_OFF_FOR_TRANSACTION } from './without-jit';
import { binaryArray, type ArrayElementType } from '../binary-arrays';

type Db = Kysely<Database>;

// What a span row holds after the upsert: the facts its cost and totals depend on.
const STORED_FACTS = [
  'id', 'trace_id', 'model', 'prompt_tokens', 'completion_tokens', 'total_tokens', 'cache_read_tokens', 'cache_write_tokens',
  'cost_usd', 'price_ref', 'start_time',
] as const satisfies readonly (keyof SpanRow)[];
export type StoredSpanFacts = Pick<SpanRow, (typeof STORED_FACTS)[number]>;

// Every insertable column, in the order the upsert binds them.
export const SPAN_COLUMNS = [
  'project_id', 'id', 'trace_id', 'parent_id', 'kind', 'name', 'model', 'provider', 'input', 'output', 'metadata',
  'prompt_tokens', 'completion_tokens', 'total_tokens', 'cache_read_tokens', 'cache_write_tokens', 'reasoning_tokens',
  'cost_usd', 'price_ref', 'start_time', 'end_time', 'completion_start_time', 'status', 'status_message', 'redactions',
] as const satisfies readonly (keyof NewSpanRow)[];

// The upsert's columns: every insertable one, then the usage mark the batch could already tell
// (server/services/ingest/usage-marks.ts), which rollUpTraces (trace-roll-up.ts) then corrects.
const UPSERT_COLUMNS = [...SPAN_COLUMNS, 'usage_in_descendants'] as const;

const keep = (col: string) => `"${col}" = coalesce(excluded."${col}", spans."${col}")`;
const UPSERT_TAIL = `on conflict ("project_id", "id") do update set
  ${['parent_id', 'model', 'provider', 'input', 'output', 'metadata', 'prompt_tokens', 'completion_tokens',
     'cache_read_tokens', 'cache_write_tokens', 'reasoning_tokens'].map(keep).join(',\n  ')},
  -- From the merged counts, not the copy's own sum: a copy carrying only completionTokens must
  -- not drop the promptTokens an earlier copy stored.
  "total_tokens" = case
    when coalesce(excluded."prompt_tokens", spans."prompt_tokens") is null
     and coalesce(excluded."completion_tokens", spans."completion_tokens") is null then null
    else coalesce(excluded."prompt_tokens", spans."prompt_tokens", 0) + coalesce(excluded."completion_tokens", spans."completion_tokens", 0)
    end,
  ${['cost_usd', 'price_ref', 'end_time', 'completion_start_time'].map(keep).join(',\n  ')},
  "status" = case when excluded."status" = 'ERROR' then 'ERROR' else spans."status" end,
  ${keep('status_message')},
  "redactions" = case when excluded."redactions" = '[]'::jsonb then spans."redactions" else excluded."redactions" end,
  -- A stored mark stays until rollUpTraces, which follows in the same transaction,
  -- recomputes it from every stored span; the copy's batch may only have seen more.
  "usage_in_descendants" = spans."usage_in_descendants" or excluded."usage_in_descendants",
  "updated_at" = now()
returning ${STORED_FACTS.map((c) => `"${c}"`).join(', ')}, xmax = 0 as inserted`;

// Each column's type, written on the first row of the upsert's VALUES: rows that feed an
// INSERT … SELECT take their types from the VALUES list, not from the table. Checked against the
// table by ingest-statements.test.ts.
export const UPSERT_COLUMN_TYPES: { project_id: 'uuid' } & Record<Exclude<(typeof UPSERT_COLUMNS)[number], 'project_id'>, ArrayElementType> = {
  project_id: 'uuid', id: 'text', trace_id: 'text', parent_id: 'text', kind: 'text', name: 'text', model: 'text',
  provider: 'text', input: 'bytea', output: 'bytea', metadata: 'jsonb', prompt_tokens: 'integer',
  completion_tokens: 'integer', total_tokens: 'integer', cache_read_tokens: 'integer', cache_write_tokens: 'integer',
  reasoning_tokens: 'integer', cost_usd: 'double precision', price_ref: 'text', start_time: 'timestamp with time zone',
  end_time: 'timestamp with time zone', completion_start_time: 'timestamp with time zone', status: 'text',
  status_message: 'text', redactions: 'jsonb', usage_in_descendants: 'boolean',
};

// lockTraces' locks (see there), as SQL over a project id and an array of trace ids.
// pg_advisory_xact_lock is volatile, so it runs after the sort: locks are taken in key order.
const traceLocks = (projectId: string, traceIds: string) => `select pg_advisory_xact_lock(k) from (
      select distinct hashtextextended(${projectId}::text || '/' || id, 0) as k
      from unnest(${traceIds}::text[]) as id
    ) keys
    order by k`;

// The statement, around the source of its rows (`batch`): every insertable column of a span,
// in UPSERT_COLUMNS order.
//
// It takes the batch's trace locks itself (one round trip fewer than a statement of their own):
// every row the insert reads comes through a join with `locked`, whose one row exists only once
// all the locks are held, so no row is written before them.
//
// The same row turns JIT compilation off for the rest of the transaction (without-jit.ts). The
// roll-up that follows is planned per call, and its recursive walk up the parent chains is
// estimated at about 460 cost units per span of the batch's traces, whatever it finds: past
// jit_above_cost from ~220 estimated spans — 10 traces once statistics say 22 spans a trace, or an
// exporter's batch of 100 one-span traces — every batch paid 40–120 ms of LLVM compilation for a
// statement that runs in 1–6 ms (bench:ingest-stages and bench:ingest with auto_explain).
//
// It answers only the spans that met a stored copy (a retry, or a copy that completes an earlier
// one): only they can be stored otherwise than the batch sent them. A new span is stored as sent,
// so the caller already knows it; returning all of them cost a row each to format in Postgres and
// to parse here. `xmax = 0` on a returned row is Postgres' mark of a fresh insert: an update by
// ON CONFLICT leaves the transaction's id there.
function upsertStatement(batch: string, lockProjectId: string, lockTraceIds: string): string {
  const columns = UPSERT_COLUMNS.map((c) => `"${c}"`).join(', ');
  return `${INGEST_WRITE} with locked as (select count(*), ${JIT_OFF_FOR_TRANSACTION} from (${traceLocks(lockProjectId, lockTraceIds)}) l),
batch (${columns}) as (${batch}),
upserted as (
insert into "spans" (${columns})
select batch.* from locked, batch
${UPSERT_TAIL}
)
select ${STORED_FACTS.map((c) => `"${c}"`).join(', ')} from upserted where not inserted`;
}

// On Postgres (node-postgres): the rows as one binary array per column (binary-arrays.ts), the
// project once. The text is the same for every batch size, so one prepared statement serves all.
const ARRAY_COLUMNS = UPSERT_COLUMNS.filter((c): c is Exclude<typeof c, 'project_id'> => c !== 'project_id');
const UPSERT_FROM_ARRAYS = upsertStatement(
  `select $1::uuid, u.* from unnest(${ARRAY_COLUMNS.map((c, i) => `$${i + 3}::${UPSERT_COLUMN_TYPES[c]}[]`).join(', ')}) as u`,
  '$1',
  '$2',
);

// On PGlite, which binds parameters as text: a VALUES list, one text per row count
// (statement-text-cache.ts).
const upsertFromValues = textPerRowCount(16, (rowCount) => {
  const width = UPSERT_COLUMNS.length;
  const tuples = Array.from(
    { length: rowCount },
    (_, r) => `(${UPSERT_COLUMNS.map((c, i) => `$${r * width + i + 1}${r === 0 ? `::${UPSERT_COLUMN_TYPES[c]}` : ''}`).join(', ')})`,
  );
  const lockParams = rowCount * width;
  return upsertStatement(`values ${tuples.join(', ')}`, `$${lockParams + 1}`, `$${lockParams + 2}`);
});

/** How the upsert binds its rows: binary arrays (node-postgres) or a VALUES list of scalars (PGlite). */
export type RowBinding = 'arrays' | 'values';

/** node-postgres sends a Buffer parameter in binary, so rows go as binary arrays; PGlite binds every parameter as text. */
export function rowBindingFor(dialect: 'postgres' | 'pglite'): RowBinding {
  return dialect === 'postgres' ? 'arrays' : 'values';
}

/**
 * One multi-row upsert, under the locks of `traceIds` (lockTraces); `usageMarks[i]` is `rows[i]`'s
 * usage mark as far as its batch can tell (absent: false). A span id already stored is completed,
 * not doubled: each column takes the newer copy's value when it has one, and ERROR is sticky.
 * Returns, as stored, each span that met a stored copy (an existing span keeps its original trace;
 * a copy may complete an earlier one), so the caller can re-price a span whose model and token
 * counts came in different copies. Every other span was inserted as its row says.
 * Every row is of `lock.projectId`.
 */
export async function upsertSpans(
  db: Db,
  rows: NewSpanRow[],
  lock: { projectId: string; traceIds: string[] },
  usageMarks: readonly boolean[] = [],
  binding: RowBinding = 'values',
): Promise<StoredSpanFacts[]> {
  if (rows.length === 0) return [];
  for (const row of rows) if (row.project_id !== lock.projectId) throw new Error('every upserted span must be of the locked project');
  const query =
    binding === 'arrays'
      ? CompiledQuery.raw(UPSERT_FROM_ARRAYS, [
          lock.projectId,
          lock.traceIds,
          ...ARRAY_COLUMNS.map((column) =>
            binaryArray(
              UPSERT_COLUMN_TYPES[column],
              column === 'usage_in_descendants' ? rows.map((_, i) => usageMarks[i] ?? false) : rows.map((row) => row[column]),
            ),
          ),
        ])
      : CompiledQuery.raw(upsertFromValues(rows.length), valueParams(rows, lock, usageMarks));
  const result = await db.executeQuery<StoredSpanFacts>(query);
  return result.rows;
}

function valueParams(rows: NewSpanRow[], lock: { projectId: string; traceIds: string[] }, usageMarks: readonly boolean[]): unknown[] {
  const params: unknown[] = [];
  rows.forEach((row, i) => {
    for (const column of SPAN_COLUMNS) params.push(row[column] ?? null);
    params.push(usageMarks[i] ?? false);
  });
  params.push(lock.projectId, lock.traceIds);
  return params;
}

/** Sets the cost of spans re-priced after a merge, in one statement; new spans never need it. */
export async function updateSpanCosts(db: Db, projectId: string, costs: { id: string; costUsd: number | null; priceRef: string | null }[]): Promise<void> {
  if (costs.length === 0) return;
  const values = sql.join(costs.map((c) => sql`(${c.id}::text, ${c.costUsd}::double precision, ${c.priceRef}::text)`));
  await sql`
    update spans set cost_usd = v.cost_usd, price_ref = v.price_ref, updated_at = now()
    from (values ${values}) as v(id, cost_usd, price_ref)
    where spans.project_id = ${projectId} and spans.id = v.id`.execute(db);
}

/**
 * Serialises writers of the same traces: a transaction-scoped advisory lock per trace, taken in
 * one order (by key) by every batch, before its spans are written. Without it, two batches with
 * spans of one trace each roll the trace up from a snapshot that lacks the other's spans, and the
 * later commit leaves totals that miss the earlier batch. Keys hash (project, trace id); a
 * collision only makes two unrelated batches wait for each other.
 */
export async function lockTraces(db: Db, projectId: string, traceIds: string[]): Promise<void> {
  if (traceIds.length === 0) return;
  await db.executeQuery(CompiledQuery.raw(`${INGEST_WRITE} ${traceLocks('$1', '$2')}`, [projectId, traceIds]));
}

const spanMetaColumns = [
  'project_id',
  'id',
  'trace_id',
  'parent_id',
  'kind',
  'name',
  'model',
  'provider',
  'metadata',
  'prompt_tokens',
  'completion_tokens',
  'total_tokens',
  'cache_read_tokens',
  'cache_write_tokens',
  'reasoning_tokens',
  'cost_usd',
  'start_time',
  'end_time',
  'completion_start_time',
  'status',
  'status_message',
  'redactions',
  'content_removed_at',
] as const;

export type SpanMetaRow = Pick<SpanRow, (typeof spanMetaColumns)[number]>;

/** Span metadata of one trace, without content. */
export function findSpansOfTrace(db: Db, projectId: string, traceId: string): Promise<SpanMetaRow[]> {
  return db
    .selectFrom('spans')
    .select(spanMetaColumns)
    .where('project_id', '=', projectId)
    .where('trace_id', '=', traceId)
    .orderBy('start_time', 'asc')
    .orderBy('id', 'asc')
    .execute();
}

/** Only the content columns of one trace's spans: loaded when a detail view asks for them. */
export function findSpanContentsOfTrace(
  db: Db,
  projectId: string,
  traceId: string,
): Promise<Pick<SpanRow, 'id' | 'input' | 'output'>[]> {
  return db
    .selectFrom('spans')
    .select(['id', 'input', 'output'])
    .where('project_id', '=', projectId)
    .where('trace_id', '=', traceId)
    .execute();
}

export function findTrace(db: Db, projectId: string, id: string): Promise<TraceRow | undefined> {
  return db.selectFrom('traces').selectAll().where('project_id', '=', projectId).where('id', '=', id).executeTakeFirst();
}
