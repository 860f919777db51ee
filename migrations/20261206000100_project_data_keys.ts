import { sql, type Kysely } from 'kysely';

// Envelope encryption: each project's data keys, stored only wrapped (sealed) by the server's
// master key ring. The newest generation seals new content; older ones still decrypt until a
// data-key rotation has moved their content and deleted them. Deleting a project deletes its
// rows first (and the foreign key would anyway): content copied out before is then unreadable.
//
// Content written before this migration is sealed with a master key directly. It cannot be
// moved here (that needs the key ring, which migrations never see): the server's background
// task `envelope-migration`, queued below, and `npm run keys:rotate` move it to the data keys.
// Frozen in time: imports nothing from the app.

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('project_data_keys')
    .addColumn('project_id', 'uuid', (c) => c.notNull().references('projects.id').onDelete('cascade'))
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('generation', 'integer', (c) => c.notNull())
    .addColumn('wrapped', 'bytea', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('project_data_keys_pkey', ['project_id', 'id'])
    // Two servers creating a project's first key at once: one insert wins, the other reads it.
    .addUniqueConstraint('project_data_keys_generation_key', ['project_id', 'generation'])
    .execute();

  // Work the server does once, in the background, under its maintenance lock.
  await db.schema
    .createTable('maintenance_tasks')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('requested_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('done_at', 'timestamptz')
    .addColumn('details', 'jsonb')
    .execute();
  await sql`insert into maintenance_tasks (name) values ('envelope-migration')`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('maintenance_tasks').ifExists().execute();
  await db.schema.dropTable('project_data_keys').ifExists().execute();
}
