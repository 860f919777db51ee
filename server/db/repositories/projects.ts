import type { Kysely } from 'kysely';
import type { Database, ProjectMemberRow, ProjectRow, RoleName } from '../tables';

type Db = Kysely<Database>;

export function insertProject(db: Db, name: string, settings: unknown): Promise<ProjectRow> {
  return db
    .insertInto('projects')
    .values({ name, settings: JSON.stringify(settings) })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export function findProjectById(db: Db, id: string): Promise<ProjectRow | undefined> {
  return db.selectFrom('projects').selectAll().where('id', '=', id).executeTakeFirst();
}

export function findProjectsOfUser(db: Db, userId: string): Promise<ProjectRow[]> {
  return db
    .selectFrom('projects')
    .innerJoin('project_members', 'project_members.project_id', 'projects.id')
    .selectAll('projects')
    .where('project_members.user_id', '=', userId)
    .orderBy('projects.created_at', 'asc')
    .execute();
}

/** The project's row, locked until the transaction ends (settings and name changes). */
export function findProjectForUpdate(db: Db, id: string): Promise<ProjectRow | undefined> {
  return db.selectFrom('projects').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
}

export function renameProjectRow(db: Db, id: string, name: string): Promise<ProjectRow | undefined> {
  return db.updateTable('projects').set({ name, updated_at: new Date() }).where('id', '=', id).returningAll().executeTakeFirst();
}

export function updateProjectSettingsRow(db: Db, id: string, settings: unknown): Promise<ProjectRow | undefined> {
  return db
    .updateTable('projects')
    .set({ settings: JSON.stringify(settings), updated_at: new Date() })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirst();
}

export async function deleteProjectRow(db: Db, id: string): Promise<boolean> {
  const result = await db.deleteFrom('projects').where('id', '=', id).executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}

/** The user's memberships among `projectIds`, in one query (the request's role loader). */
export function findMembershipsOfUser(db: Db, userId: string, projectIds: readonly string[]): Promise<ProjectMemberRow[]> {
  if (projectIds.length === 0) return Promise.resolve([]);
  return db.selectFrom('project_members').selectAll().where('user_id', '=', userId).where('project_id', 'in', projectIds).execute();
}

export function findMembership(db: Db, projectId: string, userId: string): Promise<ProjectMemberRow | undefined> {
  return db
    .selectFrom('project_members')
    .selectAll()
    .where('project_id', '=', projectId)
    .where('user_id', '=', userId)
    .executeTakeFirst();
}

export function findMembers(db: Db, projectId: string): Promise<ProjectMemberRow[]> {
  return db
    .selectFrom('project_members')
    .selectAll()
    .where('project_id', '=', projectId)
    .orderBy('added_at', 'asc')
    .execute();
}

export function insertMember(db: Db, projectId: string, userId: string, role: RoleName): Promise<ProjectMemberRow | undefined> {
  return db
    .insertInto('project_members')
    .values({ project_id: projectId, user_id: userId, role })
    .onConflict((oc) => oc.columns(['project_id', 'user_id']).doNothing())
    .returningAll()
    .executeTakeFirst();
}

export function updateMemberRole(db: Db, projectId: string, userId: string, role: RoleName): Promise<ProjectMemberRow | undefined> {
  return db
    .updateTable('project_members')
    .set({ role })
    .where('project_id', '=', projectId)
    .where('user_id', '=', userId)
    .returningAll()
    .executeTakeFirst();
}

export async function deleteMember(db: Db, projectId: string, userId: string): Promise<boolean> {
  const r = await db
    .deleteFrom('project_members')
    .where('project_id', '=', projectId)
    .where('user_id', '=', userId)
    .executeTakeFirst();
  return Number(r.numDeletedRows) > 0;
}

/** Locks the project's OWNER rows so two concurrent demotions cannot remove the last owner. */
export async function countOwnersForUpdate(db: Db, projectId: string): Promise<number> {
  const rows = await db
    .selectFrom('project_members')
    .select('user_id')
    .where('project_id', '=', projectId)
    .where('role', '=', 'OWNER')
    .forUpdate()
    .execute();
  return rows.length;
}

/** True when `adminId` is ADMIN or OWNER of some project that `userId` is a member of. */
export async function isAdminOfSharedProject(db: Db, adminId: string, userId: string): Promise<boolean> {
  const row = await db
    .selectFrom('project_members as a')
    .innerJoin('project_members as m', 'm.project_id', 'a.project_id')
    .select('a.project_id')
    .where('a.user_id', '=', adminId)
    .where('a.role', 'in', ['OWNER', 'ADMIN'])
    .where('m.user_id', '=', userId)
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}

/** Every project id, in order (background work that visits all projects). */
export async function findAllProjectIds(db: Db): Promise<string[]> {
  const rows = await db.selectFrom('projects').select('id').orderBy('id').execute();
  return rows.map((r) => r.id);
}
