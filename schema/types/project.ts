import type { ProjectMemberModel, ProjectModel, ProjectSettings, RedactionPattern, RetentionSettings } from '../../server/services/models';
import {
  addProjectMember,
  createProject,
  deleteProject,
  getProjectForViewer,
  listProjectMembers,
  listProjectsOfViewer,
  removeProjectMember,
  renameProject,
  updateProjectMemberRole,
  updateProjectSettings,
} from '../../server/services/projects';
import { builder } from '../builder';
import { ContentVisibilityEnum, PiiRuleEnum, RoleEnum } from './enums';
import { UserRef } from './user';

const RedactionPatternRef = builder.objectRef<RedactionPattern & { projectId: string }>('RedactionPattern').implement({
  authScopes: (p) => ({ projectViewer: p.projectId }),
  fields: (t) => ({ name: t.exposeString('name'), pattern: t.exposeString('pattern') }),
});

const RetentionRef = builder.objectRef<RetentionSettings & { projectId: string }>('Retention').implement({
  description: 'How long the project keeps its data, in days from a span’s (or trace’s) start time; null keeps it forever.',
  authScopes: (r) => ({ projectViewer: r.projectId }),
  fields: (t) => ({
    contentDays: t.exposeInt('contentDays', {
      nullable: true,
      description: 'Past this, span input, output and statusMessage are dropped (shown as removed by retention); tokens, cost and timings stay.',
    }),
    traceDays: t.exposeInt('traceDays', { nullable: true, description: 'Past this, whole traces and their spans are deleted.' }),
  }),
});

const ProjectSettingsRef = builder.objectRef<ProjectSettings & { projectId: string }>('ProjectSettings').implement({
  authScopes: (s) => ({ projectViewer: s.projectId }),
  fields: (t) => ({
    piiRedaction: t.exposeBoolean('piiRedaction'),
    piiRules: t.field({
      type: [PiiRuleEnum],
      description: 'The built-in PII rules that run when piiRedaction is on. Default: SECRET, EMAIL, CARD, PHONE.',
      resolve: (s) => s.piiRules as ('secret' | 'email' | 'iban' | 'card' | 'ssn' | 'ip' | 'phone')[],
    }),
    redactInputs: t.exposeBoolean('redactInputs', { description: 'Inputs are dropped at ingest: only metadata is stored.' }),
    redactOutputs: t.exposeBoolean('redactOutputs', { description: 'Outputs are dropped at ingest: only metadata is stored.' }),
    contentVisibility: t.expose('contentVisibility', { type: ContentVisibilityEnum }),
    customPatterns: t.field({
      type: [RedactionPatternRef],
      resolve: (s) => s.customPatterns.map((p) => ({ ...p, projectId: s.projectId })),
    }),
    retention: t.field({ type: RetentionRef, resolve: (s) => ({ ...s.retention, projectId: s.projectId }) }),
    auditContentReads: t.exposeBoolean('auditContentReads', {
      description: 'Every read of span content (API and export) is recorded in Project.contentAccessLog.',
    }),
  }),
});

export const ProjectMemberRef = builder.objectRef<ProjectMemberModel>('ProjectMember').implement({
  authScopes: (m) => ({ projectViewer: m.projectId }),
  fields: (t) => ({
    user: t.field({
      type: UserRef,
      resolve: (m) => m.userId,
    }),
    role: t.expose('role', { type: RoleEnum }),
    addedAt: t.expose('addedAt', { type: 'DateTime' }),
  }),
});

export const ProjectRef = builder.objectRef<ProjectModel>('Project').implement({
  description: 'Visible to its members; each field may ask for more.',
  authScopes: (project) => ({ projectViewer: project.id }),
  fields: (t) => ({
    id: t.exposeID('id'),
    name: t.exposeString('name'),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    viewerRole: t.field({
      type: RoleEnum,
      resolve: async (project, _args, ctx) => (await ctx.roleIn(project.id)) ?? 'VIEWER',
    }),
    settings: t.field({ type: ProjectSettingsRef, resolve: (p) => ({ ...p.settings, projectId: p.id }) }),
    members: t.field({
      type: [ProjectMemberRef],
      resolve: (p, _args, ctx) => listProjectMembers(ctx, p.id),
    }),
  }),
});

builder.queryFields((t) => ({
  projects: t.field({
    type: [ProjectRef],
    description: 'The projects the caller is a member of.',
    authScopes: { user: true },
    resolve: (_root, _args, ctx) => listProjectsOfViewer(ctx),
  }),
  project: t.field({
    type: ProjectRef,
    nullable: true,
    description: 'Null unless the caller is a member.',
    authScopes: { user: true },
    args: { id: t.arg.id({ required: true }) },
    resolve: (_root, args, ctx) => getProjectForViewer(ctx, args.id),
  }),
}));

const CreateProjectInput = builder.inputType('CreateProjectInput', {
  fields: (t) => ({ name: t.string({ required: true }) }),
});

const RedactionPatternInput = builder.inputType('RedactionPatternInput', {
  fields: (t) => ({ name: t.string({ required: true }), pattern: t.string({ required: true }) }),
});

const RetentionInput = builder.inputType('RetentionInput', {
  description: 'A field left out keeps its value; null keeps the data forever.',
  fields: (t) => ({
    contentDays: t.int({ description: '1 to 36500, or null.' }),
    traceDays: t.int({ description: '1 to 36500, or null.' }),
  }),
});

const ProjectSettingsInput = builder.inputType('ProjectSettingsInput', {
  fields: (t) => ({
    retention: t.field({ type: RetentionInput }),
    auditContentReads: t.boolean(),
    piiRedaction: t.boolean(),
    piiRules: t.field({ type: [PiiRuleEnum], description: 'The built-in PII rules to run when piiRedaction is on (at least one).' }),
    redactInputs: t.boolean(),
    redactOutputs: t.boolean(),
    contentVisibility: t.field({ type: ContentVisibilityEnum }),
    customPatterns: t.field({ type: [RedactionPatternInput] }),
  }),
});

builder.mutationFields((t) => ({
  createProject: t.field({
    type: ProjectRef,
    description: 'The creator becomes OWNER.',
    authScopes: { writer: true },
    args: { input: t.arg({ type: CreateProjectInput, required: true }) },
    resolve: (_root, { input }, ctx) => createProject(ctx, input),
  }),
  updateProjectSettings: t.field({
    type: ProjectRef,
    authScopes: (_root, args) => ({ $all: { writer: true, projectAdmin: args.projectId } }),
    args: {
      projectId: t.arg.id({ required: true }),
      input: t.arg({ type: ProjectSettingsInput, required: true }),
    },
    resolve: (_root, args, ctx) =>
      updateProjectSettings(ctx, args.projectId, {
        piiRedaction: args.input.piiRedaction ?? undefined,
        piiRules: args.input.piiRules ?? undefined,
        redactInputs: args.input.redactInputs ?? undefined,
        redactOutputs: args.input.redactOutputs ?? undefined,
        contentVisibility: args.input.contentVisibility ?? undefined,
        customPatterns: args.input.customPatterns ?? undefined,
        auditContentReads: args.input.auditContentReads ?? undefined,
        retention: args.input.retention && {
          // undefined (left out) keeps the value; null is "forever".
          ...('contentDays' in args.input.retention ? { contentDays: args.input.retention.contentDays ?? null } : {}),
          ...('traceDays' in args.input.retention ? { traceDays: args.input.retention.traceDays ?? null } : {}),
        },
      }),
  }),
  renameProject: t.field({
    type: ProjectRef,
    description: 'OWNER, audited.',
    authScopes: (_root, args) => ({ $all: { writer: true, projectOwner: args.projectId } }),
    args: { projectId: t.arg.id({ required: true }), name: t.arg.string({ required: true }) },
    resolve: (_root, args, ctx) => renameProject(ctx, args.projectId, args.name),
  }),
  deleteProject: t.boolean({
    authScopes: (_root, args) => ({ $all: { writer: true, projectOwner: args.projectId } }),
    args: { projectId: t.arg.id({ required: true }) },
    resolve: (_root, args, ctx) => deleteProject(ctx, args.projectId),
  }),
  addProjectMember: t.field({
    type: ProjectMemberRef,
    description: 'ADMIN+; only an OWNER may add an OWNER.',
    authScopes: (_root, args) => ({ $all: { writer: true, projectAdmin: args.projectId } }),
    args: {
      projectId: t.arg.id({ required: true }),
      email: t.arg.string({ required: true }),
      role: t.arg({ type: RoleEnum, required: true }),
    },
    resolve: (_root, args, ctx) => addProjectMember(ctx, args.projectId, args.email, args.role),
  }),
  updateProjectMemberRole: t.field({
    type: ProjectMemberRef,
    description: 'ADMIN+; only an OWNER may promote to or demote from OWNER; the last OWNER stays.',
    authScopes: (_root, args) => ({ $all: { writer: true, projectAdmin: args.projectId } }),
    args: {
      projectId: t.arg.id({ required: true }),
      userId: t.arg.id({ required: true }),
      role: t.arg({ type: RoleEnum, required: true }),
    },
    resolve: (_root, args, ctx) => updateProjectMemberRole(ctx, args.projectId, args.userId, args.role),
  }),
  removeProjectMember: t.boolean({
    description: 'ADMIN+, or a member leaving; only an OWNER may remove an OWNER; the last OWNER stays.',
    authScopes: (_root, args) => ({
      $all: { writer: true, $any: { projectAdmin: args.projectId, self: args.userId } },
    }),
    args: { projectId: t.arg.id({ required: true }), userId: t.arg.id({ required: true }) },
    resolve: (_root, args, ctx) => removeProjectMember(ctx, args.projectId, args.userId),
  }),
}));
