import { sql, type Kysely } from 'kysely';

// Invitations by e-mail for people without an account yet (issue 16). Frozen in time: imports
// nothing from the app.
//
// Only the SHA-256 of the invitation token is stored, like session tokens. An invitation is
// pending until it is accepted, revoked or past expires_at; at most one is open per project and
// address (an expired one is closed by the service before a new one is made).

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('project_invitations')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('project_id', 'uuid', (c) => c.notNull().references('projects.id').onDelete('cascade'))
    .addColumn('email', 'text', (c) => c.notNull())
    .addColumn('role', 'text', (c) => c.notNull().check(sql`role in ('OWNER', 'ADMIN', 'VIEWER')`))
    .addColumn('token_hash', 'text', (c) => c.notNull().unique())
    .addColumn('invited_by', 'uuid', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('expires_at', 'timestamptz', (c) => c.notNull())
    .addColumn('accepted_at', 'timestamptz')
    .addColumn('accepted_by', 'uuid', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('revoked_at', 'timestamptz')
    .addColumn('revoked_by', 'uuid', (c) => c.references('users.id').onDelete('set null'))
    .execute();
  await sql`create unique index project_invitations_open_key on project_invitations (project_id, email)
    where accepted_at is null and revoked_at is null`.execute(db);
  // Sign-in looks up the open invitations of one address.
  await sql`create index project_invitations_email_idx on project_invitations (email) where accepted_at is null and revoked_at is null`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('project_invitations').execute();
}
