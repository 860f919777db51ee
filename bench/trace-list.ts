// Deep pages of the trace list stay as fast as the first one, for every sort. Prints figures.
//
//   BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres npm run bench:trace-list
//   npm run bench:trace-list -- --traces=300000 --runs=7
//   npm run bench:trace-list -- --pglite --traces=50000     # the embedded database instead
//
// Seeds one project with N traces (costs with ~5% unknown, durations with ~2% still running)
// beside a second project of N/4, in a database of its own (created and dropped), then for each
// sort and direction times:
//   first   — the first page (50 rows), as the dashboard opens the list;
//   deep    — the page after row 90% of N, through the keyset cursor (findTracePage: what the
//             API runs);
//   or-form — the same page with the keyset written `key < c OR (key = c AND id < i)`;
//   offset  — the same page with OFFSET, the usual alternative.
// Figures are medians of --runs runs; ratios compare in this run only. The EXPLAIN of each deep
// page is printed in short: the plan's nodes, the index condition, rows read and buffers.

import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { sql, type Kysely } from 'kysely';
import pg from 'pg';
import { createDb } from '../server/db/create-db';
import { migrateToLatest } from '../server/db/migrate';
import { findTracePage, sortKeyOf, type SortDirection, type TraceSortField } from '../server/db/repositories/trace-list';
import type { Database } from '../server/db/tables';

const { values: flags } = parseArgs({
  options: { traces: { type: 'string' }, runs: { type: 'string', default: '5' }, pglite: { type: 'boolean', default: false } },
  strict: true,
});
const usePglite = flags.pglite || !process.env.BENCH_DATABASE_URL;
const N = Number(flags.traces ?? (usePglite ? 50_000 : 300_000));
const RUNS = Number(flags.runs);
const PAGE = 50;

async function freshDatabase(): Promise<{ url?: string; drop(): Promise<void> }> {
  if (usePglite) return { drop: async () => {} };
  const admin = process.env.BENCH_DATABASE_URL!;
  const name = `tokentrace_bench_${randomBytes(4).toString('hex')}`;
  const client = new pg.Client({ connectionString: admin });
  await client.connect();
  await client.query(`create database ${name}`);
  await client.end();
  const url = new URL(admin);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const c = new pg.Client({ connectionString: admin });
      await c.connect();
      await c.query(`drop database if exists ${name} with (force)`);
      await c.end();
    },
  };
}

async function seed(db: Kysely<Database>, projectId: string, count: number): Promise<void> {
  // Done in SQL: generating 300k rows in JS and shipping them would dominate the run.
  await sql`
    insert into traces (project_id, id, name, user_id, session_id, tags, start_time, end_time, span_count, error_count, total_tokens, total_cost_usd)
    select ${projectId}::uuid, 'tr-' || lpad(g::text, 8, '0'),
           (array['checkout', 'search', 'summarize', 'support chat', 'report'])[1 + g % 5],
           'user-' || (g % 997), 'session-' || (g % 5003), '{}',
           timestamptz '2026-01-01' + (g * interval '7 seconds'),
           case when g % 50 = 0 then null else timestamptz '2026-01-01' + (g * interval '7 seconds') + ((g * 7919) % 30000) * interval '1 millisecond' end,
           1 + g % 7, (g % 23 = 0)::int, (g * 31) % 20000,
           case when g % 20 = 0 then null else ((g * 131) % 100000) / 1e7 end
    from generate_series(1::bigint, ${count}::bigint) g`.execute(db);
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

async function time(fn: () => Promise<unknown>): Promise<number> {
  await fn(); // warm
  const runs: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t0 = performance.now();
    await fn();
    runs.push(performance.now() - t0);
  }
  return median(runs);
}

const NULLABLE: Record<TraceSortField, boolean> = { START_TIME: false, DURATION: true, COST: true, TOKENS: false };
const KEY_TYPE: Record<TraceSortField, string> = { START_TIME: 'timestamptz', DURATION: 'numeric', COST: 'double precision', TOKENS: 'bigint' };

async function main(): Promise<void> {
  const database = await freshDatabase();
  const handle = await createDb({ databaseUrl: database.url, dataDir: 'memory://', prepareStatements: false });
  const { db } = handle;
  try {
    await migrateToLatest(db);
    const [project, other] = await Promise.all(
      ['bench', 'neighbour'].map(async (name) => (await sql<{ id: string }>`insert into projects (name) values (${name}) returning id`.execute(db)).rows[0]!.id),
    );
    const t0 = performance.now();
    await seed(db, project!, N);
    await seed(db, other!, Math.floor(N / 4));
    await sql`analyze traces`.execute(db);
    console.log(`trace-list bench on ${usePglite ? 'PGlite' : 'Postgres'}: ${N.toLocaleString('en-US')} traces (+${Math.floor(N / 4).toLocaleString('en-US')} in another project), seeded in ${((performance.now() - t0) / 1000).toFixed(1)} s; median of ${RUNS} runs, page of ${PAGE}`);
    console.log('');
    console.log('sort               first ms   deep ms   or-form ms   offset ms   deep/first   or-form/deep   offset/deep');

    const depth = Math.floor(N * 0.9);
    const plans: string[] = [];
    for (const field of ['START_TIME', 'DURATION', 'COST', 'TOKENS'] as TraceSortField[]) {
      for (const direction of ['DESC', 'ASC'] as SortDirection[]) {
        const key = sortKeyOf(field);
        // The cursor row: the last row before the deep page, found by OFFSET once (not timed).
        const order = NULLABLE[field] ? sql.raw(direction === 'DESC' ? 'desc nulls last' : 'asc nulls last') : sql.raw(direction.toLowerCase());
        const idOrder = sql.raw(direction.toLowerCase());
        const cursorRow = (
          await sql<{ k: string | null; id: string }>`
            select (${key})::text as k, id from traces where project_id = ${project}
            order by ${key} ${order}, id ${idOrder} offset ${depth - 1} limit 1`.execute(db)
        ).rows[0]!;
        if (field === 'START_TIME') cursorRow.k = (await sql<{ k: string }>`select to_char(${cursorRow.k}::timestamptz at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as k`.execute(db)).rows[0]!.k;
        const after = { key: cursorRow.k, id: cursorRow.id };
        const cmp = sql.raw(direction === 'DESC' ? '<' : '>');

        const first = await time(() => findTracePage(db, project!, {}, field, direction, null, PAGE + 1));
        const deep = await time(() => findTracePage(db, project!, {}, field, direction, after, PAGE + 1));
        const type = sql.raw(KEY_TYPE[field]);
        const orNull = NULLABLE[field] ? sql` or ${key} is null` : sql``;
        const orForm = await time(() =>
          sql`select * from traces where project_id = ${project}
                and (${key} ${cmp} ${after.key}::${type} or (${key} = ${after.key}::${type} and id ${cmp} ${after.id})${orNull})
              order by ${key} ${order}, id ${idOrder} limit ${PAGE + 1}`.execute(db),
        );
        const offset = await time(() => sql`select * from traces where project_id = ${project} order by ${key} ${order}, id ${idOrder} offset ${depth} limit ${PAGE + 1}`.execute(db));
        const name = `${field} ${direction}`.padEnd(16);
        console.log(
          `${name} ${first.toFixed(2).padStart(9)} ${deep.toFixed(2).padStart(9)} ${orForm.toFixed(2).padStart(12)} ${offset.toFixed(2).padStart(11)} ${(deep / first).toFixed(2).padStart(12)} ${(orForm / deep).toFixed(1).padStart(14)} ${(offset / deep).toFixed(1).padStart(13)}`,
        );

        if (!usePglite || direction === 'DESC') {
          const explained = await explainDeepPage(db, project!, field, direction, after);
          plans.push(`${field} ${direction}:\n${explained}`);
        }
      }
    }
    console.log('');
    console.log('EXPLAIN (ANALYZE, BUFFERS) of each deep page, in short:');
    for (const p of plans) console.log(p);
  } finally {
    await handle.close();
    await database.drop();
  }
}

/** The keyed phase of a deep page as findTracePage runs it, explained; only the lines that say how rows were found. */
async function explainDeepPage(db: Kysely<Database>, project: string, field: TraceSortField, direction: SortDirection, after: { key: string | null; id: string }): Promise<string> {
  const key = sortKeyOf(field);
  const type = sql.raw(KEY_TYPE[field]);
  const cmp = sql.raw(direction === 'DESC' ? '<' : '>');
  const order = NULLABLE[field] ? sql.raw(direction === 'DESC' ? 'desc nulls last' : 'asc nulls first') : sql.raw(direction.toLowerCase());
  const rows = await sql<Record<string, string>>`explain (analyze, buffers, costs off, timing off, summary off)
    select * from traces where project_id = ${project} and (${key}, id) ${cmp} (${after.key}::${type}, ${after.id})
    order by ${key} ${order}, id ${sql.raw(direction.toLowerCase())} limit ${PAGE + 1}`.execute(db);
  return rows.rows
    .map((r) => Object.values(r)[0]!)
    .filter((line) => /Scan|Sort|Limit|Index Cond|Buffers|Rows Removed/.test(line))
    .map((line) => `    ${line.trim()}`)
    .join('\n');
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
