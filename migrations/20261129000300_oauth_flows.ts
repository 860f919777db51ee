import { sql, type Kysely } from 'kysely';

// Sign-in with GitHub or Google spans two requests (start → provider → callback). What the
// callback must check (state, PKCE verifier, nonce, where to go back, the user who is linking)
// is kept here, server-side, rather than in a signed cookie: the server has no signing secret
// of its own to manage, the verifier never leaves it, a row can be taken exactly once (so a
// callback cannot be replayed), and every instance behind a load balancer sees it. The
// browser holds only the random state in a short-lived httpOnly cookie, which binds the flow
// to the browser that started it. Only the SHA-256 of the state is stored. Frozen in time:
// imports nothing from the app.

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('oauth_flows')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('state_hash', 'text', (c) => c.notNull().unique())
    .addColumn('provider', 'text', (c) => c.notNull())
    .addColumn('code_verifier', 'text', (c) => c.notNull())
    .addColumn('nonce', 'text')
    .addColumn('mode', 'text', (c) => c.notNull()) // 'sign_in' | 'link'
    .addColumn('return_to', 'text', (c) => c.notNull())
    .addColumn('user_id', 'uuid', (c) => c.references('users.id').onDelete('cascade')) // the linking user
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('expires_at', 'timestamptz', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('oauth_flows_expires_idx').on('oauth_flows').column('expires_at').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('oauth_flows').ifExists().execute();
}
