import { sql, type Kysely } from 'kysely';
import type { Database, ProjectDataKeyRow } from '../tables';

type Db = Kysely<Database>;

// Wrapped per-project data keys (envelope encryption; see server/storage/project-keys.ts).

/** A project's keys, newest generation (the one that seals new content) first. */
export function findProjectDataKeys(db: Db, projectId: string): Promise<ProjectDataKeyRow[]> {
  return db.selectFrom('project_data_keys').selectAll().where('project_id', '=', projectId).orderBy('generation', 'desc').execute();
}

/**
 * Stores a project's first key unless it has one already (two servers racing: one wins, and
 * both then read the winner's). Nothing is stored for a project that does not exist.
 */
export async function insertFirstProjectDataKey(db: Db, projectId: string, key: { id: string; wrapped: Uint8Array }): Promise<void> {
  await sql`
    insert into project_data_keys (project_id, id, generation, wrapped)
    select id, ${key.id}, 1, ${key.wrapped} from projects where id = ${projectId}
    on conflict (project_id, generation) do nothing`.execute(db);
}

/** Stores a new current key (data-key rotation): one generation above the newest. */
export async function insertNextProjectDataKey(db: Db, projectId: string, key: { id: string; wrapped: Uint8Array }): Promise<number> {
  const { rows } = await sql<{ generation: number }>`
    insert into project_data_keys (project_id, id, generation, wrapped)
    select ${projectId}, ${key.id}, coalesce(max(generation), 0) + 1, ${key.wrapped}
    from project_data_keys where project_id = ${projectId}
    returning generation`.execute(db);
  return rows[0]!.generation;
}

/** Destroys every key of a project; returns how many. */
export async function deleteProjectDataKeys(db: Db, projectId: string): Promise<number> {
  const result = await db.deleteFrom('project_data_keys').where('project_id', '=', projectId).executeTakeFirst();
  return Number(result.numDeletedRows);
}

/** Destroys the given keys of a project (retired by data-key rotation). */
export async function deleteProjectDataKeysById(db: Db, projectId: string, ids: string[]): Promise<number> {
  if (ids.length === 0) return 0;
  const result = await db.deleteFrom('project_data_keys').where('project_id', '=', projectId).where('id', 'in', ids).executeTakeFirst();
  return Number(result.numDeletedRows);
}

/**
 * Replaces a key's wrapping (master-key rotation) only if it is still the one that was read,
 * so two rotations running at once cannot undo each other. True when it was replaced.
 */
export async function replaceWrappedDataKey(db: Db, key: { projectId: string; id: string; from: Uint8Array; to: Uint8Array }): Promise<boolean> {
  const result = await db
    .updateTable('project_data_keys')
    .set({ wrapped: key.to })
    .where('project_id', '=', key.projectId)
    .where('id', '=', key.id)
    .where('wrapped', '=', key.from)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

/** Every stored key, a page at a time in (project, id) order. */
export function findDataKeysPage(
  db: Db,
  after: { projectId: string; id: string } | undefined,
  limit: number,
  projectIds?: string[],
): Promise<ProjectDataKeyRow[]> {
  return db
    .selectFrom('project_data_keys')
    .selectAll()
    .$if(projectIds !== undefined, (qb) => qb.where('project_id', 'in', projectIds!.length ? projectIds! : ['00000000-0000-0000-0000-000000000000']))
    .$if(after !== undefined, (qb) => qb.where(sql<boolean>`(project_id, id) > (${after!.projectId}::uuid, ${after!.id}::text)`))
    .orderBy('project_id')
    .orderBy('id')
    .limit(limit)
    .execute();
}
