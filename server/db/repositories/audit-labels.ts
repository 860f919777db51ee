import type { Kysely } from 'kysely';
import type { Database } from '../tables';

type Db = Kysely<Database>;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const uuids = (ids: readonly string[]) => [...new Set(ids.filter((id) => UUID.test(id)))];

/** E-mail (and name) of users by id; ids that are not uuids are skipped, not cast. */
export async function findUserLabels(db: Db, ids: readonly string[]): Promise<Map<string, { email: string; name: string | null }>> {
  const wanted = uuids(ids);
  if (wanted.length === 0) return new Map();
  const rows = await db.selectFrom('users').select(['id', 'email', 'name']).where('id', 'in', wanted).execute();
  return new Map(rows.map((r) => [r.id, { email: r.email, name: r.name }]));
}

/** Name and prefix of a project's API keys by id (keys are revoked, never deleted, so old entries resolve). */
export async function findApiKeyLabels(db: Db, projectId: string, ids: readonly string[]): Promise<Map<string, { name: string; prefix: string }>> {
  const wanted = uuids(ids);
  if (wanted.length === 0) return new Map();
  const rows = await db.selectFrom('api_keys').select(['id', 'name', 'prefix']).where('project_id', '=', projectId).where('id', 'in', wanted).execute();
  return new Map(rows.map((r) => [r.id, { name: r.name, prefix: r.prefix }]));
}

/** Name, prefix and owner of personal access tokens by id. */
export async function findTokenLabels(db: Db, ids: readonly string[]): Promise<Map<string, { name: string; prefix: string; email: string }>> {
  const wanted = uuids(ids);
  if (wanted.length === 0) return new Map();
  const rows = await db
    .selectFrom('personal_access_tokens as t')
    .innerJoin('users as u', 'u.id', 't.user_id')
    .select(['t.id', 't.name', 't.prefix', 'u.email'])
    .where('t.id', 'in', wanted)
    .execute();
  return new Map(rows.map((r) => [r.id, { name: r.name, prefix: r.prefix, email: r.email }]));
}

export async function findProjectName(db: Db, id: string): Promise<string | null> {
  if (!UUID.test(id)) return null;
  const row = await db.selectFrom('projects').select('name').where('id', '=', id).executeTakeFirst();
  return row?.name ?? null;
}
