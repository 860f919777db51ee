import type { Transaction } from 'kysely';
import { hashCredential, newSessionToken } from '../auth/secrets';
import type { RequestContext } from '../context';
import {
  closeInvitation,
  findInvitationById,
  findInvitationByTokenHash,
  findInvitationsOfProject,
  findOpenInvitationForUpdate,
  findPendingInvitationsOfEmail,
  insertInvitation,
  markAccepted,
} from '../db/repositories/invitations';
import { findMembership, findProjectById, insertMember } from '../db/repositories/projects';
import { findUserByEmail, findUserById, normaliseEmail } from '../db/repositories/users';
import type { Database, ProjectInvitationRow, RoleName, UserRow } from '../db/tables';
import { AppError, badInput, forbidden, notFound } from '../errors';
import { recordAudit, runAudited, type AuditActor } from './audit-log';
import { isUuid } from './projects';

// Invitations by e-mail for people who have no account yet. An admin invites an address with a
// role; the invitation is pending until it expires, is revoked, or is accepted — at sign-up or
// sign-in with that address once verified (a GitHub/Google sign-in that vouches for it), or by
// opening the invitation link, which only the invited address was sent, while signed in with
// that address. Every step is audited on the project's chain.

export type InvitationStatus = 'PENDING' | 'ACCEPTED' | 'REVOKED' | 'EXPIRED';

export interface InvitationModel {
  id: string;
  projectId: string;
  email: string;
  role: RoleName;
  status: InvitationStatus;
  invitedById: string | null;
  createdAt: Date;
  expiresAt: Date;
  acceptedAt: Date | null;
}

export interface CreatedInvitation {
  invitation: InvitationModel;
  /** The link to send to the invited address; shown once (only the token's hash is kept). */
  acceptUrl: string;
}

/** What someone holding the link may see before signing in. */
export interface InvitationPreview {
  projectName: string;
  role: RoleName;
  maskedEmail: string;
  invitedByName: string | null;
  status: InvitationStatus;
  expiresAt: Date;
}

export const DEFAULT_INVITATION_DAYS = 7;
export const MAX_INVITATION_DAYS = 30;
const EMAIL_PATTERN = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

type Trx = Transaction<Database>;

export function statusOf(row: ProjectInvitationRow, now = Date.now()): InvitationStatus {
  if (row.accepted_at) return 'ACCEPTED';
  if (row.revoked_at) return 'REVOKED';
  return new Date(row.expires_at).getTime() <= now ? 'EXPIRED' : 'PENDING';
}

export function toInvitationModel(row: ProjectInvitationRow): InvitationModel {
  return {
    id: row.id,
    projectId: row.project_id,
    email: row.email,
    role: row.role,
    status: statusOf(row),
    invitedById: row.invited_by,
    createdAt: row.created_at,
    expiresAt: new Date(row.expires_at),
    acceptedAt: row.accepted_at,
  };
}

/** `ad•••@example.com`: enough for a teammate to recognise, not a full address for everyone. */
export function maskEmail(email: string): string {
  const [local = '', domain = ''] = email.split('@');
  return `${local.slice(0, Math.min(2, Math.max(1, local.length - 1)))}•••@${domain}`;
}

export async function createInvitation(ctx: RequestContext, projectId: string, rawEmail: string, role: RoleName, days: number | null | undefined): Promise<CreatedInvitation> {
  const email = normaliseEmail(rawEmail);
  if (!EMAIL_PATTERN.test(email) || email.length > 254) throw badInput('That is not a valid e-mail address.', { field: 'email' });
  const validDays = days ?? DEFAULT_INVITATION_DAYS;
  if (!Number.isInteger(validDays) || validDays < 1 || validDays > MAX_INVITATION_DAYS) {
    throw badInput(`An invitation lasts 1 to ${MAX_INVITATION_DAYS} days.`, { field: 'expiresInDays' });
  }
  if (role === 'OWNER' && (await ctx.roleIn(projectId)) !== 'OWNER') throw forbidden('Only an OWNER can invite another OWNER.');
  const existing = await findUserByEmail(ctx.deps.db, email);
  if (existing && (await findMembership(ctx.deps.db, projectId, existing.id))) {
    throw new AppError('CONFLICT', 'This person is already a member of the project.');
  }
  const token = newSessionToken();
  const by = ctx.actingUserId();
  const row = await runAudited(ctx.deps, async (trx) => {
    const open = await findOpenInvitationForUpdate(trx, projectId, email);
    if (open && statusOf(open) === 'PENDING') {
      throw new AppError('CONFLICT', `${email} is already invited (until ${new Date(open.expires_at).toISOString().slice(0, 10)}); revoke that invitation to send a new one.`);
    }
    // An expired invitation is closed first, so the address can be invited again.
    if (open) await closeInvitation(trx, open.id, null, new Date(open.expires_at));
    const inserted = await insertInvitation(trx, {
      projectId,
      email,
      role,
      tokenHash: hashCredential(token),
      invitedBy: by,
      expiresAt: new Date(Date.now() + validDays * 86_400_000),
    });
    await recordAudit(trx, ctx, {
      projectId,
      action: 'invitation.create',
      targetType: 'invitation',
      targetId: inserted.id,
      details: { email, role, expiresAt: new Date(inserted.expires_at).toISOString() },
    });
    return inserted;
  });
  return { invitation: toInvitationModel(row), acceptUrl: `${ctx.deps.config.publicUrl}/invite/${token}` };
}

export async function revokeInvitation(ctx: RequestContext, projectId: string, id: string): Promise<InvitationModel> {
  if (!isUuid(id)) throw notFound('Invitation');
  return runAudited(ctx.deps, async (trx) => {
    const current = await findInvitationById(trx, projectId, id);
    if (!current) throw notFound('Invitation');
    if (current.role === 'OWNER' && (await ctx.roleIn(projectId)) !== 'OWNER') throw forbidden('Only an OWNER can revoke an invitation to OWNER.');
    const closed = await closeInvitation(trx, id, ctx.actingUserId());
    if (!closed) throw new AppError('CONFLICT', `This invitation is already ${statusOf(current).toLowerCase()}.`);
    await recordAudit(trx, ctx, { projectId, action: 'invitation.revoke', targetType: 'invitation', targetId: id, details: { email: closed.email, role: closed.role } });
    return toInvitationModel(closed);
  });
}

export async function listInvitations(ctx: RequestContext, projectId: string, includeClosed: boolean): Promise<InvitationModel[]> {
  return (await findInvitationsOfProject(ctx.deps.db, projectId, includeClosed)).map(toInvitationModel);
}

/** Makes the user a member through one invitation, with its audit entry; false when it was no longer pending. */
async function acceptOne(trx: Trx, ctx: RequestContext, invitation: ProjectInvitationRow, user: UserRow, how: 'verified_email' | 'link'): Promise<boolean> {
  const accepted = await markAccepted(trx, invitation.id, user.id);
  if (!accepted) return false;
  // Already a member (added by hand meanwhile): the invitation is used up, the role unchanged.
  const member = await insertMember(trx, invitation.project_id, user.id, invitation.role);
  const actor: AuditActor = { type: 'user', id: user.id, label: user.email };
  await recordAudit(trx, ctx, {
    projectId: invitation.project_id,
    action: 'invitation.accept',
    targetType: 'invitation',
    targetId: invitation.id,
    details: { email: invitation.email, role: invitation.role, how, alreadyMember: !member },
    actor,
  });
  return true;
}

/**
 * Accepts every pending invitation of the user's address, inside the sign-in's transaction. Call
 * only when the address is verified, and before the sign-in's own (global) audit entry, so that
 * chain locks are always taken project chains first.
 */
export async function acceptInvitationsOfVerifiedEmail(trx: Trx, ctx: RequestContext, user: UserRow): Promise<number> {
  let accepted = 0;
  for (const invitation of await findPendingInvitationsOfEmail(trx, user.email)) {
    if (await acceptOne(trx, ctx, invitation, user, 'verified_email')) accepted += 1;
  }
  return accepted;
}

/** Accepts the invitation of a link for the signed-in user, whose address must be the invited one. */
export async function acceptInvitationByToken(ctx: RequestContext, token: string): Promise<{ projectId: string; role: RoleName }> {
  const userId = ctx.actingUserId();
  if (!userId) throw new AppError('UNAUTHENTICATED', 'Sign in (or create an account) with the invited address first.');
  const user = await findUserById(ctx.deps.db, userId);
  if (!user) throw new AppError('UNAUTHENTICATED', 'Sign in again.');
  return runAudited(ctx.deps, async (trx) => {
    const invitation = token.length > 0 && token.length <= 100 ? await findInvitationByTokenHash(trx, hashCredential(token)) : undefined;
    if (!invitation) throw notFound('Invitation');
    const status = statusOf(invitation);
    if (status !== 'PENDING') throw new AppError('CONFLICT', `This invitation is ${status.toLowerCase()}.`);
    if (invitation.email !== user.email) {
      throw forbidden(`This invitation is for ${maskEmail(invitation.email)}: sign in with that address to accept it.`);
    }
    if (!(await acceptOne(trx, ctx, invitation, user, 'link'))) throw new AppError('CONFLICT', 'This invitation is no longer pending.');
    return { projectId: invitation.project_id, role: invitation.role };
  });
}

/** The invitation behind a link, for its landing page; null for an unknown token. */
export async function previewInvitation(ctx: RequestContext, token: string): Promise<InvitationPreview | null> {
  if (token.length === 0 || token.length > 100) return null;
  const invitation = await findInvitationByTokenHash(ctx.deps.db, hashCredential(token));
  if (!invitation) return null;
  const [project, inviter] = await Promise.all([
    findProjectById(ctx.deps.db, invitation.project_id),
    invitation.invited_by ? findUserById(ctx.deps.db, invitation.invited_by) : undefined,
  ]);
  if (!project) return null;
  return {
    projectName: project.name,
    role: invitation.role,
    maskedEmail: maskEmail(invitation.email),
    invitedByName: inviter?.name ?? null,
    status: statusOf(invitation),
    expiresAt: new Date(invitation.expires_at),
  };
}
