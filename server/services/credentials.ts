import { issueCredential } from '../auth/secrets';
import type { RequestContext } from '../context';
import {
  findApiKeyById,
  findApiKeysOfProject,
  findApiKeysOfProjects,
  findApiKeySuccessor,
  findPersonalAccessTokensOfUser,
  insertApiKey,
  insertPersonalAccessToken,
  lockApiKey,
  lockPersonalAccessTokenOfUser,
  revokePersonalAccessTokenRow,
  updateApiKey,
} from '../db/repositories/credentials';
import type { ApiKeyRow, PersonalAccessTokenRow } from '../db/tables';
import { badInput, forbidden, notFound } from '../errors';
import { recordAudit, runAudited } from './audit-log';
import type { ApiKeyModel, PersonalAccessTokenModel } from './models';
import { isUuid } from './projects';

// Ingest keys (per project, write-only) and personal access tokens (per user). The secret is
// returned once from create/rotate and only its hash is stored. Every change is audited in its
// own transaction; entries name a key by id, name and display prefix, never by its secret.

const MAX_GRACE_SECONDS = 7 * 24 * 3600;

export function toApiKeyModel(row: ApiKeyRow): ApiKeyModel {
  return {
    id: row.id,
    projectId: row.project_id,
    name: row.name,
    prefix: row.prefix,
    createdAt: row.created_at,
    createdById: row.created_by,
    lastUsedAt: row.last_used_at,
    expiresAt: row.expires_at,
    revokedAt: row.revoked_at,
  };
}

export function toTokenModel(row: PersonalAccessTokenRow): PersonalAccessTokenModel {
  return {
    id: row.id,
    userId: row.user_id,
    name: row.name,
    prefix: row.prefix,
    readOnly: row.read_only,
    createdAt: row.created_at,
    lastUsedAt: row.last_used_at,
    expiresAt: row.expires_at,
    revokedAt: row.revoked_at,
  };
}

function validateName(name: string): string {
  const trimmed = name.trim();
  if (trimmed.length < 1 || trimmed.length > 100) throw badInput('A name needs 1 to 100 characters.', { field: 'name' });
  return trimmed;
}

function validateExpiry(expiresAt: Date | null | undefined): Date | null {
  if (!expiresAt) return null;
  if (expiresAt.getTime() <= Date.now()) throw badInput('The expiry must be in the future.', { field: 'expiresAt' });
  return expiresAt;
}

function actingUserId(ctx: RequestContext): string {
  if (ctx.principal.kind !== 'user') throw forbidden();
  return ctx.principal.userId;
}

export async function createApiKey(
  ctx: RequestContext,
  projectId: string,
  name: string,
  expiresAt?: Date | null,
): Promise<{ apiKey: ApiKeyModel; secret: string }> {
  const issued = issueCredential('ttk');
  const values = {
    projectId,
    name: validateName(name),
    lookupId: issued.lookupId,
    prefix: issued.prefix,
    secretHash: issued.secretHash,
    createdBy: actingUserId(ctx),
    expiresAt: validateExpiry(expiresAt),
  };
  const row = await runAudited(ctx.deps, async (trx) => {
    const inserted = await insertApiKey(trx, values);
    await recordAudit(trx, ctx, {
      projectId,
      action: 'api_key.create',
      targetType: 'api_key',
      targetId: inserted.id,
      details: { name: inserted.name, prefix: inserted.prefix, expiresAt: inserted.expires_at },
    });
    return inserted;
  });
  return { apiKey: toApiKeyModel(row), secret: issued.secret };
}

export async function findApiKeyProjectId(ctx: RequestContext, id: string): Promise<string | null> {
  if (!isUuid(id)) return null;
  const row = await findApiKeyById(ctx.deps.db, id);
  return row?.project_id ?? null;
}

/** The new key works at once; the old one keeps working for `graceSeconds`, then expires. */
export async function rotateApiKey(
  ctx: RequestContext,
  id: string,
  graceSeconds: number | null | undefined,
): Promise<{ apiKey: ApiKeyModel; secret: string }> {
  const grace = graceSeconds ?? 0;
  if (!Number.isInteger(grace) || grace < 0 || grace > MAX_GRACE_SECONDS) {
    throw badInput(`graceSeconds must be between 0 and ${MAX_GRACE_SECONDS}.`, { field: 'graceSeconds' });
  }
  return runAudited(ctx.deps, async (trx) => {
    const old = await lockApiKey(trx, id);
    if (!old) throw notFound('API key');
    if (old.revoked_at) throw badInput('A revoked key cannot be rotated.');
    const successor = await findApiKeySuccessor(trx, old.id);
    // Rotating the same key twice would mint two live successors and shorten the grace period.
    if (successor) throw badInput('This key was already rotated: rotate its replacement instead.');
    const now = Date.now();
    const graceEnd = new Date(now + grace * 1000);
    const oldExpiry = old.expires_at && old.expires_at.getTime() < graceEnd.getTime() ? old.expires_at : graceEnd;
    await updateApiKey(trx, old.id, { expires_at: oldExpiry });
    const issued = issueCredential('ttk');
    const row = await insertApiKey(trx, {
      projectId: old.project_id,
      name: old.name,
      lookupId: issued.lookupId,
      prefix: issued.prefix,
      secretHash: issued.secretHash,
      createdBy: actingUserId(ctx),
      // A key that was issued with a lifetime gets the same lifetime again, counted from now.
      expiresAt: old.expires_at ? new Date(now + (old.expires_at.getTime() - old.created_at.getTime())) : null,
      rotatedFromId: old.id,
    });
    await recordAudit(trx, ctx, {
      projectId: old.project_id,
      action: 'api_key.rotate',
      targetType: 'api_key',
      targetId: old.id,
      details: {
        name: old.name,
        prefix: old.prefix,
        oldExpiresAt: oldExpiry,
        graceSeconds: grace,
        newKeyId: row.id,
        newPrefix: row.prefix,
        newExpiresAt: row.expires_at,
      },
    });
    return { apiKey: toApiKeyModel(row), secret: issued.secret };
  });
}

export async function revokeApiKey(ctx: RequestContext, id: string): Promise<ApiKeyModel> {
  const row = await runAudited(ctx.deps, async (trx) => {
    // Locked, so two concurrent revocations make one change and one entry.
    const existing = await lockApiKey(trx, id);
    if (!existing) throw notFound('API key');
    if (existing.revoked_at) return existing;
    const revoked = await updateApiKey(trx, id, { revoked_at: new Date() });
    if (!revoked) throw notFound('API key');
    await recordAudit(trx, ctx, {
      projectId: revoked.project_id,
      action: 'api_key.revoke',
      targetType: 'api_key',
      targetId: revoked.id,
      details: { name: revoked.name, prefix: revoked.prefix },
    });
    return revoked;
  });
  return toApiKeyModel(row);
}

export async function listApiKeys(ctx: RequestContext, projectId: string): Promise<ApiKeyModel[]> {
  return (await findApiKeysOfProject(ctx.deps.db, projectId)).map(toApiKeyModel);
}

/** The keys of several projects in one query, newest first (the caller groups them by projectId). */
export async function listApiKeysOfProjects(ctx: RequestContext, projectIds: readonly string[]): Promise<ApiKeyModel[]> {
  return (await findApiKeysOfProjects(ctx.deps.db, projectIds)).map(toApiKeyModel);
}

export async function createPersonalAccessToken(
  ctx: RequestContext,
  input: { name: string; readOnly: boolean; expiresAt?: Date | null },
): Promise<{ token: PersonalAccessTokenModel; secret: string }> {
  const issued = issueCredential('ttp');
  const values = {
    userId: actingUserId(ctx),
    name: validateName(input.name),
    lookupId: issued.lookupId,
    prefix: issued.prefix,
    secretHash: issued.secretHash,
    readOnly: input.readOnly,
    expiresAt: validateExpiry(input.expiresAt),
  };
  const row = await runAudited(ctx.deps, async (trx) => {
    const inserted = await insertPersonalAccessToken(trx, values);
    // A token belongs to a user, not a project: the entry goes on the global chain.
    await recordAudit(trx, ctx, {
      projectId: null,
      action: 'token.create',
      targetType: 'personal_access_token',
      targetId: inserted.id,
      details: { name: inserted.name, prefix: inserted.prefix, readOnly: inserted.read_only, expiresAt: inserted.expires_at },
    });
    return inserted;
  });
  return { token: toTokenModel(row), secret: issued.secret };
}

export async function revokePersonalAccessToken(ctx: RequestContext, id: string): Promise<boolean> {
  if (!isUuid(id)) throw notFound('Token');
  const userId = actingUserId(ctx);
  return runAudited(ctx.deps, async (trx) => {
    const existing = await lockPersonalAccessTokenOfUser(trx, id, userId);
    if (!existing) throw notFound('Token');
    // Revoking twice keeps the first revocation time and records nothing new.
    if (existing.revoked_at) return true;
    const row = await revokePersonalAccessTokenRow(trx, id, userId, new Date());
    if (!row) throw notFound('Token');
    await recordAudit(trx, ctx, {
      projectId: null,
      action: 'token.revoke',
      targetType: 'personal_access_token',
      targetId: row.id,
      details: { name: row.name, prefix: row.prefix },
    });
    return true;
  });
}

export async function listPersonalAccessTokens(ctx: RequestContext, userId: string): Promise<PersonalAccessTokenModel[]> {
  return (await findPersonalAccessTokensOfUser(ctx.deps.db, userId)).map(toTokenModel);
}
