import { sql, type Kysely } from 'kysely';

// Whether a trace holds a span whose parent is not a span of the same trace (not arrived yet, or
// in another trace). Ingest rolls a batch up incrementally — adding the batch's spans to the
// stored totals instead of reading every span of the trace again — only while no trace of the
// batch has such a link: a parent that arrives after its children may change usage marks that only
// a full read can find (server/db/repositories/trace-append-roll-up.ts). Existing traces start as
// `true`, so their next batch is rolled up in full, which sets the real value.
// Frozen in time: imports nothing from the app.

export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table traces add column open_parent_links boolean not null default true`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`alter table traces drop column open_parent_links`.execute(db);
}
