import type { Kysely } from 'kysely';

// When a streamed generation produced its first token: time to first token is what users of
// streaming chat feel as latency, so the SDK reports it. Frozen in time: imports nothing from the app.

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('spans').addColumn('completion_start_time', 'timestamptz').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('spans').dropColumn('completion_start_time').execute();
}
