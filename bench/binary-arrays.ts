// What building the span upsert's parameters costs on the server's main thread: one binary array
// per column (server/db/binary-arrays.ts) for a batch of 100 spans as bench:ingest sends them,
// against the floor of copying the same bytes once (Buffer.concat of each column's elements).
// Prints µs per batch, per column kind and in all, and the ratio to the floor.
//
//   npm run bench:binary-arrays

import { binaryArray, type ArrayElementType } from '../server/db/binary-arrays';
import { UPSERT_COLUMN_TYPES } from '../server/db/repositories/spans';
import { makeBatch } from './lib/spans';
import { table, timePerCall } from './lib/stats';

// The rows ingest binds, from the ingest bench's spans: content as sealed bytes (JSON plus the
// 28 bytes AES-GCM adds), the rest as the price and validate stages leave it.
const spans = makeBatch('bench', 1, 100, Date.now());
const rows = spans.map((span) => {
  const sealed = (value: unknown) => Buffer.concat([Buffer.alloc(28), Buffer.from(JSON.stringify(value))]);
  const row: Record<string, unknown> = {
    id: span.id, trace_id: span.traceId, parent_id: span.parentId, kind: span.kind, name: span.name, model: span.model,
    provider: span.provider, input: sealed(span.input), output: sealed(span.output), metadata: JSON.stringify(span.metadata),
    prompt_tokens: span.promptTokens, completion_tokens: span.completionTokens, total_tokens: span.promptTokens + span.completionTokens,
    cache_read_tokens: null, cache_write_tokens: null, reasoning_tokens: null, cost_usd: span.promptTokens * 1.5e-7,
    price_ref: `openai/${span.model}@2024-07-18`, start_time: new Date(span.startTime), end_time: new Date(span.endTime),
    completion_start_time: null, status: 'OK', status_message: null, redactions: '[]', usage_in_descendants: false,
  };
  return row;
});

const columns = (Object.keys(UPSERT_COLUMN_TYPES) as (keyof typeof UPSERT_COLUMN_TYPES)[]).filter((c) => c !== 'project_id');
const typeOf = (column: (typeof columns)[number]) => UPSERT_COLUMN_TYPES[column] as ArrayElementType;
const valuesOf = new Map(columns.map((c) => [c, rows.map((r) => r[c])]));
// The floor: each element's bytes copied once, as they would be in any encoding of the rows.
const bytesOf = new Map(
  columns.map((c) => [
    c,
    rows.map((r) => {
      const v = r[c];
      if (v === null || v === undefined) return Buffer.alloc(0);
      if (v instanceof Uint8Array) return v;
      if (v instanceof Date || typeof v === 'number') return Buffer.alloc(8);
      if (typeof v === 'boolean') return Buffer.alloc(1);
      return Buffer.from(String(v));
    }),
  ]),
);

const kinds: { name: string; of: (t: ArrayElementType) => boolean }[] = [
  { name: 'text (ids, names, models)', of: (t) => t === 'text' },
  { name: 'bytea (sealed content)', of: (t) => t === 'bytea' },
  { name: 'jsonb (metadata, redactions)', of: (t) => t === 'jsonb' },
  { name: 'numbers, times, booleans', of: (t) => t !== 'text' && t !== 'bytea' && t !== 'jsonb' },
  { name: 'all 25 columns', of: () => true },
];
const out: string[][] = [];
for (const kind of kinds) {
  const picked = columns.filter((c) => kind.of(typeOf(c)));
  const ours = timePerCall(() => picked.forEach((c) => binaryArray(typeOf(c), valuesOf.get(c)!)), { warmUp: 200 });
  const floor = timePerCall(() => picked.forEach((c) => Buffer.concat(bytesOf.get(c)!)), { warmUp: 200 });
  out.push([kind.name, String(picked.length), ours.toFixed(1), floor.toFixed(1), (ours / floor).toFixed(2)]);
}
console.log(`binary arrays of one 100-span upsert (bench:ingest's spans), node ${process.version}`);
console.log(table(['columns', 'n', 'µs/batch', 'copy floor µs', 'ratio'], out));
