import { performance } from 'node:perf_hooks';
import type { ContentCodec } from '../../plugins/core/codec';
import { SPAN_COLUMNS } from '../../server/db/repositories/spans';
import type { NewSpanRow } from '../../server/db/tables';
import type { PriceBook } from '../../server/prices/price-book';
import { encodeContent } from '../../server/storage/content';
import { makeBatch, type BenchSpan } from './spans';

// The baseline: the same rows ingest would store, written by one plain multi-row INSERT per
// batch — no GraphQL, no validation, no upsert, no trace rows or roll-ups.

/** Runs one parameterised statement on some connection. */
export type Execute = (text: string, params: unknown[]) => Promise<unknown>;

// The columns ingest writes, in its order: the baseline stores exactly the rows ingest would.
const COLUMNS = SPAN_COLUMNS;

/** One span as ingest turns it into a row: content as JSON bytes through the server's codec (encrypted when the encryption plugin is on). */
export function toSpanRow(projectId: string, span: BenchSpan, prices: PriceBook, codec: ContentCodec): NewSpanRow {
  const start = new Date(span.startTime);
  const ctx = { projectId, table: 'spans', rowId: span.id };
  return {
    project_id: projectId,
    id: span.id,
    trace_id: span.traceId,
    parent_id: span.parentId,
    kind: span.kind,
    name: span.name,
    model: span.model,
    provider: span.provider,
    input: encodeContent(codec, span.input, { ...ctx, column: 'input' }),
    output: encodeContent(codec, span.output, { ...ctx, column: 'output' }),
    metadata: JSON.stringify(span.metadata),
    prompt_tokens: span.promptTokens,
    completion_tokens: span.completionTokens,
    total_tokens: span.promptTokens + span.completionTokens,
    cost_usd: prices.costFor(span.model, start, span.promptTokens, span.completionTokens),
    start_time: start,
    end_time: new Date(span.endTime),
    status: 'OK',
    status_message: null,
    redactions: '[]',
  };
}

export function rowValues(projectId: string, span: BenchSpan, prices: PriceBook, codec: ContentCodec): unknown[] {
  const row = toSpanRow(projectId, span, prices, codec) as Record<string, unknown>;
  return COLUMNS.map((c) => row[c] ?? null);
}

const statements = new Map<string, string>();

/** A multi-row INSERT of `rows` span rows into `table` (the `spans` table, or the bench's bare copy). */
export function insertStatement(rows: number, table = 'spans'): string {
  let text = statements.get(`${table}/${rows}`);
  if (!text) {
    const tuples: string[] = [];
    for (let r = 0; r < rows; r++) {
      tuples.push(`(${COLUMNS.map((_, c) => `$${r * COLUMNS.length + c + 1}`).join(', ')})`);
    }
    text = `insert into ${table} (${COLUMNS.join(', ')}) values ${tuples.join(', ')}`;
    statements.set(`${table}/${rows}`, text);
  }
  return text;
}

export interface RawPhaseResult {
  elapsedMs: number;
  latenciesMs: number[];
  rows: number;
}

/**
 * Inserts batches [first, first + count) with `connections` concurrent loops sharing one
 * counter, each loop awaiting its own statement (on a pool of that size, one connection each).
 */
export async function runRawPhase(options: {
  execute: Execute;
  connections: number;
  projectId: string;
  runTag: string;
  baseTimeMs: number;
  batchSize: number;
  /** Spans per trace in a batch. @default SPANS_PER_TRACE */
  spansPerTrace?: number;
  first: number;
  count: number;
  prices: PriceBook;
  codec: ContentCodec;
  /** The table written: `spans` (every index and constraint of ingest's table) or a bare copy. @default 'spans' */
  table?: string;
}): Promise<RawPhaseResult> {
  const { execute, projectId, prices, codec } = options;
  let nextBatch = options.first;
  const end = options.first + options.count;
  const latencies: number[] = [];
  let rows = 0;
  // The spans exist before the clock starts, as the HTTP senders' request bodies do; turning
  // them into rows (pricing, encoding content) is the server's work and is timed.
  const batches = new Map<number, BenchSpan[]>();
  for (let g = options.first; g < end; g++) batches.set(g, makeBatch(options.runTag, g, options.batchSize, options.baseTimeMs, options.spansPerTrace));
  const loop = async () => {
    while (nextBatch < end) {
      const g = nextBatch++;
      const spans = batches.get(g)!;
      batches.delete(g);
      const params: unknown[] = [];
      for (const span of spans) params.push(...rowValues(projectId, span, prices, codec));
      const started = performance.now();
      await execute(insertStatement(spans.length, options.table), params);
      latencies.push(performance.now() - started);
      rows += spans.length;
    }
  };
  const t0 = performance.now();
  await Promise.all(Array.from({ length: options.connections }, () => loop()));
  return { elapsedMs: performance.now() - t0, latenciesMs: latencies, rows };
}
