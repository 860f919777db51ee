import { sql, type Kysely } from 'kysely';
import type { Database, ProjectInvitationRow, RoleName } from '../tables';

type Db = Kysely<Database>;

/** The open invitation of an address to a project (pending, or expired and not yet closed), locked for the transaction. */
export function findOpenInvitationForUpdate(db: Db, projectId: string, email: string): Promise<ProjectInvitationRow | undefined> {
  return db
    .selectFrom('project_invitations')
    .selectAll()
    .where('project_id', '=', projectId)
    .where('email', '=', email)
    .where('accepted_at', 'is', null)
    .where('revoked_at', 'is', null)
    .forUpdate()
    .executeTakeFirst();
}

export function insertInvitation(db: Db, row: { projectId: string; email: string; role: RoleName; tokenHash: string; invitedBy: string | null; expiresAt: Date }): Promise<ProjectInvitationRow> {
  return db
    .insertInto('project_invitations')
    .values({ project_id: row.projectId, email: row.email, role: row.role, token_hash: row.tokenHash, invited_by: row.invitedBy, expires_at: row.expiresAt })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export function closeInvitation(db: Db, id: string, by: string | null, when = new Date()): Promise<ProjectInvitationRow | undefined> {
  return db
    .updateTable('project_invitations')
    .set({ revoked_at: when, revoked_by: by })
    .where('id', '=', id)
    .where('accepted_at', 'is', null)
    .where('revoked_at', 'is', null)
    .returningAll()
    .executeTakeFirst();
}

export function markAccepted(db: Db, id: string, userId: string): Promise<ProjectInvitationRow | undefined> {
  return db
    .updateTable('project_invitations')
    .set({ accepted_at: new Date(), accepted_by: userId })
    .where('id', '=', id)
    .where('accepted_at', 'is', null)
    .where('revoked_at', 'is', null)
    .where('expires_at', '>', new Date())
    .returningAll()
    .executeTakeFirst();
}

export function findInvitationById(db: Db, projectId: string, id: string): Promise<ProjectInvitationRow | undefined> {
  return db.selectFrom('project_invitations').selectAll().where('project_id', '=', projectId).where('id', '=', id).executeTakeFirst();
}

export function findInvitationByTokenHash(db: Db, tokenHash: string): Promise<ProjectInvitationRow | undefined> {
  return db.selectFrom('project_invitations').selectAll().where('token_hash', '=', tokenHash).executeTakeFirst();
}

/** Pending (open and unexpired) invitations of an address, in project order so chain locks are taken in one order. */
export function findPendingInvitationsOfEmail(db: Db, email: string): Promise<ProjectInvitationRow[]> {
  return db
    .selectFrom('project_invitations')
    .selectAll()
    .where('email', '=', email)
    .where('accepted_at', 'is', null)
    .where('revoked_at', 'is', null)
    .where('expires_at', '>', new Date())
    .orderBy('project_id')
    .forUpdate()
    .execute();
}

/** A project's invitations, newest first: open ones only, or the last 100 of every state. */
export function findInvitationsOfProject(db: Db, projectId: string, includeClosed: boolean): Promise<ProjectInvitationRow[]> {
  let q = db.selectFrom('project_invitations').selectAll().where('project_id', '=', projectId);
  if (!includeClosed) q = q.where('accepted_at', 'is', null).where('revoked_at', 'is', null).where('expires_at', '>', sql<Date>`now()`);
  return q.orderBy('created_at', 'desc').limit(includeClosed ? 100 : 500).execute();
}
