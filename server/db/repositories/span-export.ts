import { randomBytes } from 'node:crypto';
import { CompiledQuery, sql, type Kysely, type SqlBool } from 'kysely';
import type { Database } from '../tables';
import { traceFilterConditions, type TraceRowFilter } from './trace-list';

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
// A page holds whole traces (their spans in one read), so a trace of very many spans makes one
// large page there.

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
  cache_read_tokens: number | null;
  cache_write_tokens: number | null;
  reasoning_tokens: number | null;
  cost_usd: number | null;
  start_time: Date;
  end_time: Date | null;
  status: string;
  status_message: string | null;
  metadata: unknown;
  redactions: unknown;
  content_removed_at: Date | null;
}

export interface ExportQuery {
  projectId: string;
  /** The trace list's filter (resolved by services/trace-list), so the export holds what the list shows. */
  filter: TraceRowFilter;
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
      'spans.cache_read_tokens',
      'spans.cache_write_tokens',
      'spans.reasoning_tokens',
      'spans.cost_usd',
      'spans.start_time',
      'spans.end_time',
      'spans.status',
      'spans.status_message',
      'spans.metadata',
      'spans.redactions',
      'spans.content_removed_at',
    ])
    .where((eb) => eb.and(traceFilterConditions(eb as never, q.projectId, q.filter)))
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
        const { rows } = await trx.executeQuery<ExportRow>(CompiledQuery.raw(`fetch forward ${Math.max(1, Math.floor(options.chunkRows()))} from ${name}`));
        if (rows.length === 0) break;
        await onChunk(rows);
      }
    } finally {
      await trx.executeQuery(CompiledQuery.raw(`close ${name}`)).catch(() => undefined);
    }
  });
}

async function readWithKeyset(db: Kysely<Database>, q: ExportQuery, options: ExportCursorOptions, onChunk: (rows: ExportRow[]) => Promise<void>): Promise<void> {
  let after: { startKey: string; id: string } | undefined;
  while (!options.signal?.aborted) {
    const last = after;
    // Whole traces per page, about chunkRows spans' worth: traces in index order (a cheap
    // keyset on the list's own index), then their spans in one indexed read.
    const limit = Math.max(1, Math.floor(options.chunkRows() / 4));
    const traces = await db
      .selectFrom('traces')
      .select(['id', 'name', 'user_id', 'session_id', 'tags', 'metadata', 'start_time', sql<string>`traces.start_time::text`.as('start_key')])
      .where((eb) => eb.and(traceFilterConditions(eb, q.projectId, q.filter)))
      .$if(last !== undefined, (qb) => qb.where(sql<SqlBool>`(traces.start_time, traces.id) < (${last!.startKey}::timestamptz, ${last!.id})`))
      .orderBy('traces.start_time', 'desc')
      .orderBy('traces.id', 'desc')
      .limit(limit)
      .execute();
    if (traces.length === 0) break;
    const spans = await db
      .selectFrom('spans')
      .select([
        'trace_id', 'id', 'parent_id', 'kind', 'name', 'model', 'provider',
        q.withContent ? 'input' : sql<Uint8Array | null>`null::bytea`.as('input'),
        q.withContent ? 'output' : sql<Uint8Array | null>`null::bytea`.as('output'),
        'prompt_tokens', 'completion_tokens', 'total_tokens', 'cache_read_tokens', 'cache_write_tokens', 'reasoning_tokens', 'cost_usd', 'start_time', 'end_time',
        'status', 'status_message', 'metadata', 'redactions', 'content_removed_at',
      ])
      .where('project_id', '=', q.projectId)
      .where('trace_id', 'in', traces.map((t) => t.id))
      .orderBy('start_time', 'asc')
      .orderBy('id', 'asc')
      .execute();
    const byTrace = new Map<string, typeof spans>();
    for (const span of spans) {
      const list = byTrace.get(span.trace_id);
      if (list) list.push(span);
      else byTrace.set(span.trace_id, [span]);
    }
    const rows: ExportRow[] = [];
    for (const t of traces) {
      for (const span of byTrace.get(t.id) ?? []) {
        rows.push({
          ...span,
          trace_name: t.name,
          user_id: t.user_id,
          session_id: t.session_id,
          tags: t.tags,
          trace_metadata: t.metadata,
          trace_start_time: t.start_time,
        });
      }
    }
    const tail = traces.at(-1)!;
    after = { startKey: tail.start_key, id: tail.id };
    if (rows.length > 0) await onChunk(rows);
    if (traces.length < limit) break;
  }
}
