import { sql, type Kysely } from 'kysely';

// The parents an open trace waits for, in a table of their own; traces.open_parent_links becomes
// traces.pending_parents_unknown.
//
// A row maps each id that spans of the trace name as their parent, but that is not a span of the
// trace, to whether usage is reported at or below those spans. An OpenTelemetry exporter sends a
// span when it ends, so a parent always comes after its children, and a long trace is open until
// its root arrives: with only the yes/no, every batch of it was rolled up by reading the whole
// trace. With the map, a batch is added to the stored totals even then, and a parent that arrives
// learns from the map whether it must be marked for the usage of its children
// (server/db/repositories/trace-append-roll-up.ts). No row: the trace waits for no parent.
//
// `pending_parents_unknown`: the map is not known, and the trace's next batch is rolled up in
// full, which writes it. True for every trace that open_parent_links called open (every trace
// stored before that column, too), so the upgrade is a rename: no row written per trace. Also
// true for a trace that waits for more parents than the roll-ups keep.
//
// A table, not a column of traces: ingest reads it by key in a statement whose plan Postgres
// keeps, and every index of traces ends in the trace id, so a kept plan made while the table was
// small looked a trace up through traces_project_duration_idx (all of a project's traces) instead
// of its primary key. This table has its primary key only.
// Frozen in time: imports nothing from the app.

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create table trace_pending_parents (
      project_id uuid not null,
      trace_id text not null,
      parents jsonb not null,
      primary key (project_id, trace_id),
      foreign key (project_id, trace_id) references traces (project_id, id) on delete cascade
    )`.execute(db);
  await sql`alter table traces rename column open_parent_links to pending_parents_unknown`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`
    update traces t set pending_parents_unknown = true
    from trace_pending_parents p where p.project_id = t.project_id and p.trace_id = t.id`.execute(db);
  await sql`alter table traces rename column pending_parents_unknown to open_parent_links`.execute(db);
  await sql`drop table trace_pending_parents`.execute(db);
}
