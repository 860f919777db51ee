import { sql, type Kysely } from 'kysely';

// Who read span content, for projects with `auditContentReads` on: one row per reader, request
// and trace, with the span ids read. Separate from the hash-chained audit log on purpose: it
// grows with every read, is written in batches, and is pruned by age. No foreign keys: like the
// audit log, it outlives the project, user or token it names until it is pruned.
// Frozen in time: imports nothing from the app.

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('content_access_log')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('project_id', 'uuid', (c) => c.notNull())
    .addColumn('at', 'timestamptz', (c) => c.notNull())
    .addColumn('actor_type', 'text', (c) => c.notNull())
    .addColumn('actor_id', 'text')
    .addColumn('actor_label', 'text')
    .addColumn('via', 'text', (c) => c.notNull())
    .addColumn('trace_id', 'text', (c) => c.notNull())
    .addColumn('span_ids', sql`text[]`, (c) => c.notNull())
    .addColumn('ip', 'text')
    .addColumn('user_agent', 'text')
    .execute();
  await sql`create index content_access_log_project_idx on content_access_log (project_id, id desc)`.execute(db);
  await sql`create index content_access_log_at_idx on content_access_log (at)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('content_access_log').ifExists().execute();
}
