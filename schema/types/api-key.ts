import { createApiKey, findApiKeyProjectId, listApiKeysOfProjects, revokeApiKey, rotateApiKey } from '../../server/services/credentials';
import type { ApiKeyModel } from '../../server/services/models';
import { builder } from '../builder';
import { ProjectRef } from './project';
import { UserRef } from './user';

// Ingest keys are ADMIN+ on every path: listing, creating, rotating, revoking.

export const ApiKeyRef = builder.objectRef<ApiKeyModel>('ApiKey').implement({
  description: 'A write-only ingest key of one project. The secret is never readable after creation.',
  authScopes: (key) => ({ projectAdmin: key.projectId }),
  fields: (t) => ({
    id: t.exposeID('id'),
    name: t.exposeString('name'),
    prefix: t.exposeString('prefix', { description: 'The public start of the key, to recognise it.' }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    createdBy: t.field({
      type: UserRef,
      nullable: true,
      resolve: (key) => key.createdById,
    }),
    lastUsedAt: t.expose('lastUsedAt', { type: 'DateTime', nullable: true }),
    expiresAt: t.expose('expiresAt', { type: 'DateTime', nullable: true }),
    revokedAt: t.expose('revokedAt', { type: 'DateTime', nullable: true }),
  }),
});

const CreatedApiKeyRef = builder.objectRef<{ apiKey: ApiKeyModel; secret: string }>('CreatedApiKey').implement({
  description: 'The only time the secret is shown.',
  authScopes: (created) => ({ projectAdmin: created.apiKey.projectId }),
  fields: (t) => ({
    apiKey: t.field({ type: ApiKeyRef, resolve: (c) => c.apiKey }),
    secret: t.exposeString('secret'),
  }),
});

builder.objectField(ProjectRef, 'apiKeys', (t) =>
  // One query for the keys of every project in the response (a list of projects asking for
  // their keys would otherwise run one per project).
  t.loadableGroup({
    type: ApiKeyRef,
    authScopes: (project) => ({ projectAdmin: project.id }),
    load: (projectIds: string[], ctx) => listApiKeysOfProjects(ctx, projectIds),
    group: (key) => key.projectId,
    resolve: (project) => project.id,
  }),
);

async function adminOfKey(ctx: Parameters<typeof findApiKeyProjectId>[0], id: string) {
  const projectId = await findApiKeyProjectId(ctx, id);
  // An unknown key id is refused like a key of a foreign project: no existence oracle.
  return projectId ? { $all: { writer: true, projectAdmin: projectId } } : false;
}

builder.mutationFields((t) => ({
  createApiKey: t.field({
    type: CreatedApiKeyRef,
    authScopes: (_root, args) => ({ $all: { writer: true, projectAdmin: args.projectId } }),
    args: {
      projectId: t.arg.id({ required: true }),
      name: t.arg.string({ required: true }),
      expiresAt: t.arg({ type: 'DateTime' }),
    },
    resolve: (_root, args, ctx) => createApiKey(ctx, args.projectId, args.name, args.expiresAt),
  }),
  rotateApiKey: t.field({
    type: CreatedApiKeyRef,
    description: 'Issues a new key; the old one keeps working for graceSeconds (default 0), then expires.',
    authScopes: (_root, args, ctx) => adminOfKey(ctx, args.id),
    args: { id: t.arg.id({ required: true }), graceSeconds: t.arg.int() },
    resolve: (_root, args, ctx) => rotateApiKey(ctx, args.id, args.graceSeconds),
  }),
  revokeApiKey: t.field({
    type: ApiKeyRef,
    authScopes: (_root, args, ctx) => adminOfKey(ctx, args.id),
    args: { id: t.arg.id({ required: true }) },
    resolve: (_root, args, ctx) => revokeApiKey(ctx, args.id),
  }),
}));
