import {
  acceptInvitationByToken,
  createInvitation,
  listInvitations,
  maskEmail,
  previewInvitation,
  revokeInvitation,
  type CreatedInvitation,
  type InvitationModel,
  type InvitationPreview,
} from '../../server/services/invitations';
import { projectNameOf } from '../../server/services/projects';
import { builder } from '../builder';
import { RoleEnum } from './enums';
import { ProjectRef } from './project';
import { UserRef } from './user';

// Invitations by e-mail. Members see who is pending (the address masked); ADMIN+ see the address,
// invite and revoke. The link's holder sees what they are invited to before signing in.

const InvitationStatusEnum = builder.enumType('InvitationStatus', { values: ['PENDING', 'ACCEPTED', 'REVOKED', 'EXPIRED'] as const });

const ProjectInvitationRef = builder.objectRef<InvitationModel>('ProjectInvitation').implement({
  description: 'An invitation to join a project, by e-mail.',
  authScopes: (i) => ({ projectViewer: i.projectId }),
  fields: (t) => ({
    id: t.exposeID('id'),
    email: t.exposeString('email', {
      nullable: true,
      description: 'ADMIN+; for anyone else null, with a FORBIDDEN error (as User.email).',
      authScopes: (i) => ({ projectAdmin: i.projectId }),
    }),
    maskedEmail: t.string({ description: 'The address with most of its local part hidden, for every member.', resolve: (i) => maskEmail(i.email) }),
    role: t.expose('role', { type: RoleEnum }),
    status: t.expose('status', { type: InvitationStatusEnum }),
    invitedBy: t.field({
      type: UserRef,
      nullable: true,
      resolve: (i) => i.invitedById,
    }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    expiresAt: t.expose('expiresAt', { type: 'DateTime' }),
    acceptedAt: t.expose('acceptedAt', { type: 'DateTime', nullable: true }),
  }),
});

const CreatedInvitationRef = builder.objectRef<CreatedInvitation>('CreatedInvitation').implement({
  description: 'A new invitation and its link, shown this once: send it to the invited address.',
  authScopes: (c) => ({ projectAdmin: c.invitation.projectId }),
  fields: (t) => ({
    invitation: t.field({ type: ProjectInvitationRef, resolve: (c) => c.invitation }),
    acceptUrl: t.exposeString('acceptUrl'),
  }),
});

const InvitationPreviewRef = builder.objectRef<InvitationPreview>('InvitationPreview').implement({
  description: 'What the holder of an invitation link is invited to.',
  authScopes: { human: true },
  fields: (t) => ({
    projectName: t.exposeString('projectName'),
    role: t.expose('role', { type: RoleEnum }),
    maskedEmail: t.exposeString('maskedEmail'),
    invitedByName: t.exposeString('invitedByName', { nullable: true }),
    status: t.expose('status', { type: InvitationStatusEnum }),
    expiresAt: t.expose('expiresAt', { type: 'DateTime' }),
  }),
});

const AcceptedInvitationRef = builder.objectRef<{ projectId: string; projectName: string; role: 'OWNER' | 'ADMIN' | 'VIEWER' }>('AcceptedInvitation').implement({
  authScopes: { user: true },
  fields: (t) => ({
    projectId: t.exposeID('projectId'),
    projectName: t.exposeString('projectName'),
    role: t.expose('role', { type: RoleEnum }),
  }),
});

builder.objectField(ProjectRef, 'invitations', (t) =>
  t.field({
    type: [ProjectInvitationRef],
    description: 'VIEWER+. Pending invitations, newest first; with includeClosed, the latest 100 of any status.',
    authScopes: (project) => ({ projectViewer: project.id }),
    args: { includeClosed: t.arg.boolean({ defaultValue: false }) },
    resolve: (project, args, ctx) => listInvitations(ctx, project.id, args.includeClosed ?? false),
  }),
);

builder.queryField('invitation', (t) =>
  t.field({
    type: InvitationPreviewRef,
    nullable: true,
    description: 'The invitation behind a link’s token (anyone holding the link); null for an unknown token.',
    authScopes: { human: true },
    args: { token: t.arg.string({ required: true }) },
    resolve: (_root, args, ctx) => previewInvitation(ctx, args.token),
  }),
);

builder.mutationFields((t) => ({
  inviteProjectMember: t.field({
    type: CreatedInvitationRef,
    description: 'ADMIN+, audited; only an OWNER may invite an OWNER. For an address without an account (or not yet a member).',
    authScopes: (_root, args) => ({ $all: { writer: true, projectAdmin: args.projectId } }),
    args: {
      projectId: t.arg.id({ required: true }),
      email: t.arg.string({ required: true }),
      role: t.arg({ type: RoleEnum, required: true }),
      expiresInDays: t.arg.int({ description: '1 to 30; 7 when omitted.' }),
    },
    resolve: (_root, args, ctx) => createInvitation(ctx, args.projectId, args.email, args.role, args.expiresInDays),
  }),
  revokeInvitation: t.field({
    type: ProjectInvitationRef,
    description: 'ADMIN+, audited.',
    authScopes: (_root, args) => ({ $all: { writer: true, projectAdmin: args.projectId } }),
    args: { projectId: t.arg.id({ required: true }), id: t.arg.id({ required: true }) },
    resolve: (_root, args, ctx) => revokeInvitation(ctx, args.projectId, args.id),
  }),
  acceptInvitation: t.field({
    type: AcceptedInvitationRef,
    description: 'Accepts the invitation of a link for the signed-in user, whose e-mail must be the invited one. Audited.',
    authScopes: { writer: true },
    args: { token: t.arg.string({ required: true }) },
    resolve: async (_root, args, ctx) => {
      const accepted = await acceptInvitationByToken(ctx, args.token);
      return { ...accepted, projectName: (await projectNameOf(ctx, accepted.projectId)) ?? '' };
    },
  }),
}));
