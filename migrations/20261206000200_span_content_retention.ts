import { sql, type Kysely } from 'kysely';

// Retention per project. Past `contentDays` a span's input, output and statusMessage are
// dropped and `content_removed_at` says when, so readers can tell "removed by retention" from
// "never recorded" and from "hidden". The partial index holds only spans that still carry
// content: each retention batch finds the oldest of them without scanning what it already
// emptied, and an emptied span leaves the index. Frozen in time: imports nothing from the app.

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('spans').addColumn('content_removed_at', 'timestamptz').execute();
  await sql`create index spans_content_age_idx on spans (project_id, start_time)
            where input is not null or output is not null or status_message is not null`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop index if exists spans_content_age_idx`.execute(db);
  await db.schema.alterTable('spans').dropColumn('content_removed_at').execute();
}
