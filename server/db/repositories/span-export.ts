import { randomBytes } from 'node:crypto';
import { CompiledQuery, sql, type Kysely, type SqlBool } from 'kysely';
import type { Database } from '../tables';
import { filterConditions, type TraceFilter } from './trace-filter';

// The export's read: one row per span with its trace's fields, in the trace list's order
// (newest trace first) and then by span start, delivered a chunk at a time so memory stays flat
// however many rows match.
//
// Postgres: a server-side cursor (DECLARE … NO SCROLL CURSOR, FETCH n) in one read-only
// transaction on its own pooled connection — one consistent snapshot, streamed.
// Embedded PGlite has a single connection, and a transaction held for a long export would stall
// every other query of the server (ingest included). There the same query is read in keyset
// pages, each its own statement, so other work interleaves; a page boundary is not a snapshot
// boundary, which for append-mostly data means rows ingested meanwhile may or may not appear.

export interface ExportRow {
  trace_id: string;
  trace_name: string | null;
  user_id: string | null;
  session_id: string | null;
  tags: string[];
  trace_metadata: unknown;
  trace_start_time: Date;
  id: string;
  parent_id: string | null;
  kind: string;
  name: string;
  model: string | null;
  provider: string | null;
  input: Uint8Array | null;
  output: Uint8Array | null;
  prompt_tokens: number | null;
  completion_tokens: number | null;
  total_tokens: number | null;
  cost_usd: number | null;
  start_time: Date;
  end_time: Date | null;
  status: string;
  status_message: string | null;
  metadata: unknown;
  redactions: unknown;
  content_removed_at: Date | null;
}

interface KeysetRow extends ExportRow {
  /** Exact keys for the next page (text keeps microseconds that a JS Date would drop). */
  t_start_key: string;
  s_start_key: string;
}

export interface ExportQuery {
  projectId: string;
  filter: TraceFilter;
  /** Select input and output (false: they come back null and are never read from disk). */
  withContent: boolean;
}

function exportSelect(db: Kysely<Database>, q: ExportQuery) {
  return db
    .selectFrom('traces')
    .innerJoin('spans', (join) => join.onRef('spans.project_id', '=', 'traces.project_id').onRef('spans.trace_id', '=', 'traces.id'))
    .select([
      'traces.id as trace_id',
      'traces.name as trace_name',
      'traces.user_id',
      'traces.session_id',
      'traces.tags',
      'traces.metadata as trace_metadata',
      'traces.start_time as trace_start_time',
      'spans.id',
      'spans.parent_id',
      'spans.kind',
      'spans.name',
      'spans.model',
      'spans.provider',
      q.withContent ? 'spans.input' : sql<Uint8Array | null>`null::bytea`.as('input'),
      q.withContent ? 'spans.output' : sql<Uint8Array | null>`null::bytea`.as('output'),
      'spans.prompt_tokens',
      'spans.completion_tokens',
      'spans.total_tokens',
      'spans.cost_usd',
      'spans.start_time',
      'spans.end_time',
      'spans.status',
      'spans.status_message',
      'spans.metadata',
      'spans.redactions',
      'spans.content_removed_at',
      sql<string>`traces.start_time::text`.as('t_start_key'),
      sql<string>`spans.start_time::text`.as('s_start_key'),
    ])
    .where((eb) => eb.and(filterConditions(eb as never, q.projectId, q.filter)))
    .orderBy('traces.start_time', 'desc')
    .orderBy('traces.id', 'desc')
    .orderBy('spans.start_time', 'asc')
    .orderBy('spans.id', 'asc');
}

export interface ExportCursorOptions {
  dialect: 'postgres' | 'pglite';
  /** Rows per fetch; the caller may change it between chunks (large content: fewer rows). */
  chunkRows: () => number;
  signal?: AbortSignal;
}

/** Calls `onChunk` with each chunk of rows, in order, until all are read or the signal aborts. */
export async function readExportRows(
  db: Kysely<Database>,
  q: ExportQuery,
  options: ExportCursorOptions,
  onChunk: (rows: ExportRow[]) => Promise<void>,
): Promise<void> {
  if (options.dialect === 'postgres') return readWithCursor(db, q, options, onChunk);
  return readWithKeyset(db, q, options, onChunk);
}

async function readWithCursor(db: Kysely<Database>, q: ExportQuery, options: ExportCursorOptions, onChunk: (rows: ExportRow[]) => Promise<void>): Promise<void> {
  const name = `tt_export_${randomBytes(6).toString('hex')}`;
  const compiled = exportSelect(db, q).compile();
  await db.transaction().execute(async (trx) => {
    await sql`set transaction read only`.execute(trx);
    await trx.executeQuery(CompiledQuery.raw(`declare ${name} no scroll cursor for ${compiled.sql}`, [...compiled.parameters]));
    try {
      while (!options.signal?.aborted) {
        const { rows } = await trx.executeQuery<KeysetRow>(CompiledQuery.raw(`fetch forward ${Math.max(1, Math.floor(options.chunkRows()))} from ${name}`));
        if (rows.length === 0) break;
        await onChunk(rows);
      }
    } finally {
      await trx.executeQuery(CompiledQuery.raw(`close ${name}`)).catch(() => undefined);
    }
  });
}

async function readWithKeyset(db: Kysely<Database>, q: ExportQuery, options: ExportCursorOptions, onChunk: (rows: ExportRow[]) => Promise<void>): Promise<void> {
  let after: KeysetRow | undefined;
  while (!options.signal?.aborted) {
    const last = after;
    const limit = Math.max(1, Math.floor(options.chunkRows()));
    const rows = (await exportSelect(db, q)
      .$if(last !== undefined, (qb) =>
        qb.where(
          sql<SqlBool>`(traces.start_time < ${last!.t_start_key}::timestamptz
            or (traces.start_time = ${last!.t_start_key}::timestamptz and traces.id < ${last!.trace_id})
            or (traces.start_time = ${last!.t_start_key}::timestamptz and traces.id = ${last!.trace_id}
                and (spans.start_time, spans.id) > (${last!.s_start_key}::timestamptz, ${last!.id})))`,
        ),
      )
      .limit(limit)
      .execute()) as KeysetRow[];
    if (rows.length === 0) break;
    after = rows.at(-1);
    await onChunk(rows);
    if (rows.length < limit) break;
  }
}
