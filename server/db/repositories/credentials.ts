import { sql, type Kysely } from 'kysely';
import type { ApiKeyRow, Database, PersonalAccessTokenRow } from '../tables';

type Db = Kysely<Database>;

export function insertApiKey(
  db: Db,
  k: {
    projectId: string;
    name: string;
    lookupId: string;
    prefix: string;
    secretHash: string;
    createdBy: string | null;
    expiresAt: Date | null;
    rotatedFromId?: string | null;
  },
): Promise<ApiKeyRow> {
  return db
    .insertInto('api_keys')
    .values({
      project_id: k.projectId,
      name: k.name,
      lookup_id: k.lookupId,
      prefix: k.prefix,
      secret_hash: k.secretHash,
      created_by: k.createdBy,
      expires_at: k.expiresAt,
      rotated_from_id: k.rotatedFromId ?? null,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** The key with its project's settings: ingest needs both, and this saves it a round trip. */
export async function findApiKeyByLookupId(
  db: Db,
  lookupId: string,
): Promise<(ApiKeyRow & { project_settings: unknown }) | undefined> {
  // Every ingest request runs it: written out rather than built by the query builder per request,
  // and marked as a statement worth preparing (ingest-statement-marks.ts, isIngestWrite). Columns
  // are named, not `api_keys.*`: a prepared `*` fails ("cached plan must not change result type")
  // once a migration adds a column, on every instance that prepared it before.
  const result = await sql<ApiKeyRow & { project_settings: unknown }>`/* ingest */
    select k."id", k."project_id", k."name", k."lookup_id", k."prefix", k."secret_hash", k."created_by",
           k."rotated_from_id", k."created_at", k."last_used_at", k."expires_at", k."revoked_at",
           p."settings" as "project_settings"
    from "api_keys" k inner join "projects" p on p."id" = k."project_id"
    where k."lookup_id" = ${lookupId}`.execute(db);
  return result.rows[0];
}

export function findApiKeyById(db: Db, id: string): Promise<ApiKeyRow | undefined> {
  return db.selectFrom('api_keys').selectAll().where('id', '=', id).executeTakeFirst();
}

export function findApiKeysOfProject(db: Db, projectId: string): Promise<ApiKeyRow[]> {
  return db
    .selectFrom('api_keys')
    .selectAll()
    .where('project_id', '=', projectId)
    .orderBy('created_at', 'desc')
    .execute();
}

/** The keys of several projects in one query (the dataloader of Project.apiKeys), newest first. */
export function findApiKeysOfProjects(db: Db, projectIds: readonly string[]): Promise<ApiKeyRow[]> {
  if (projectIds.length === 0) return Promise.resolve([]);
  return db.selectFrom('api_keys').selectAll().where('project_id', 'in', projectIds).orderBy('created_at', 'desc').execute();
}

export function updateApiKey(
  db: Db,
  id: string,
  patch: { revoked_at?: Date; expires_at?: Date | null; last_used_at?: Date },
): Promise<ApiKeyRow | undefined> {
  return db.updateTable('api_keys').set(patch).where('id', '=', id).returningAll().executeTakeFirst();
}

export function insertPersonalAccessToken(
  db: Db,
  t: {
    userId: string;
    name: string;
    lookupId: string;
    prefix: string;
    secretHash: string;
    readOnly: boolean;
    expiresAt: Date | null;
  },
): Promise<PersonalAccessTokenRow> {
  return db
    .insertInto('personal_access_tokens')
    .values({
      user_id: t.userId,
      name: t.name,
      lookup_id: t.lookupId,
      prefix: t.prefix,
      secret_hash: t.secretHash,
      read_only: t.readOnly,
      expires_at: t.expiresAt,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export function findPersonalAccessTokenByLookupId(db: Db, lookupId: string): Promise<PersonalAccessTokenRow | undefined> {
  return db.selectFrom('personal_access_tokens').selectAll().where('lookup_id', '=', lookupId).executeTakeFirst();
}

export function findPersonalAccessTokensOfUser(db: Db, userId: string): Promise<PersonalAccessTokenRow[]> {
  return db
    .selectFrom('personal_access_tokens')
    .selectAll()
    .where('user_id', '=', userId)
    .orderBy('created_at', 'desc')
    .execute();
}

export function revokePersonalAccessTokenRow(db: Db, id: string, userId: string, now: Date): Promise<PersonalAccessTokenRow | undefined> {
  return db
    .updateTable('personal_access_tokens')
    .set({ revoked_at: now })
    .where('id', '=', id)
    .where('user_id', '=', userId)
    .returningAll()
    .executeTakeFirst();
}

export async function touchPersonalAccessToken(db: Db, id: string, now: Date): Promise<void> {
  await db.updateTable('personal_access_tokens').set({ last_used_at: now }).where('id', '=', id).execute();
}

/** A token's validity fields, whatever its state (the live tail re-checks them while it streams). */
export function findPersonalAccessTokenValidity(db: Db, id: string): Promise<Pick<PersonalAccessTokenRow, 'revoked_at' | 'expires_at'> | undefined> {
  return db.selectFrom('personal_access_tokens').select(['revoked_at', 'expires_at']).where('id', '=', id).executeTakeFirst();
}

/** Locks the key's row until the transaction ends (rotation and revocation change one at a time). */
export function lockApiKey(db: Db, id: string): Promise<ApiKeyRow | undefined> {
  return db.selectFrom('api_keys').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
}

/** The key that replaced `id` in a rotation, if any. */
export function findApiKeySuccessor(db: Db, id: string): Promise<{ id: string } | undefined> {
  return db.selectFrom('api_keys').select('id').where('rotated_from_id', '=', id).executeTakeFirst();
}

/** Locks the user's own token until the transaction ends; undefined when it is not theirs. */
export function lockPersonalAccessTokenOfUser(db: Db, id: string, userId: string): Promise<Pick<PersonalAccessTokenRow, 'id' | 'revoked_at'> | undefined> {
  return db
    .selectFrom('personal_access_tokens')
    .select(['id', 'revoked_at'])
    .where('id', '=', id)
    .where('user_id', '=', userId)
    .forUpdate()
    .executeTakeFirst();
}

/** The display prefixes the audit log names a credential by. */
export async function findCredentialPrefix(db: Db, kind: 'api_key' | 'token', id: string): Promise<string | undefined> {
  const table = kind === 'api_key' ? 'api_keys' : 'personal_access_tokens';
  return (await db.selectFrom(table).select('prefix').where('id', '=', id).executeTakeFirst())?.prefix;
}
