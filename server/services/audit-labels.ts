import type { RequestContext } from '../context';
import { findApiKeyLabels, findProjectName, findTokenLabels, findUserLabels } from '../db/repositories/audit-labels';
import type { AuditActor, AuditLogEntryModel } from './audit-log';
import { batchedPerRequest } from './request-batch';

// Names for the audit log's ids: who a user id is, which key an API key id was, what a project
// was called. Looked up when read (one query per kind for a whole page), falling back to what
// the entry's details recorded at the time — a deleted project or user still reads by name.

type Details = Record<string, unknown> | null;
const text = (v: unknown): string | null => (typeof v === 'string' && v.length > 0 ? v : null);

const users = (ctx: RequestContext) => batchedPerRequest(ctx, 'audit-users', (ids: string[]) => findUserLabels(ctx.deps.db, ids), null);
const tokens = (ctx: RequestContext) => batchedPerRequest(ctx, 'audit-tokens', (ids: string[]) => findTokenLabels(ctx.deps.db, ids), null);
const keys = (ctx: RequestContext, projectId: string) =>
  batchedPerRequest(ctx, `audit-keys:${projectId}`, (ids: string[]) => findApiKeyLabels(ctx.deps.db, projectId, ids), null);
const projects = (ctx: RequestContext) =>
  batchedPerRequest(ctx, 'audit-projects', async (ids: string[]) => new Map(await Promise.all(ids.map(async (id) => [id, await findProjectName(ctx.deps.db, id)] as const))), null);

/** A readable name for the entry's target: an e-mail, a key's name, a project's name. */
export async function auditTargetLabel(ctx: RequestContext, projectId: string, entry: AuditLogEntryModel): Promise<string | null> {
  const details = (entry.details && typeof entry.details === 'object' ? entry.details : null) as Details;
  const id = entry.targetId;
  switch (entry.targetType) {
    case 'user': {
      const user = id ? await users(ctx)(id) : null;
      return user?.email ?? text(details?.email);
    }
    case 'api_key': {
      const key = id ? await keys(ctx, projectId)(id) : null;
      const name = key?.name ?? text(details?.name);
      const prefix = key?.prefix ?? text(details?.prefix);
      return name ? `${name}${prefix ? ` (${prefix}…)` : ''}` : prefix;
    }
    case 'personal_access_token': {
      const token = id ? await tokens(ctx)(id) : null;
      return token ? `${token.name} (${token.prefix}…) of ${token.email}` : text(details?.name);
    }
    case 'project':
      return (id ? await projects(ctx)(id) : null) ?? text(details?.name);
    default:
      return text(details?.email) ?? text(details?.name) ?? text(details?.model);
  }
}

/** A readable name for who acted: the user's e-mail, the token's name and owner, the key's name. */
export async function auditActorName(ctx: RequestContext, projectId: string, actor: AuditActor): Promise<string | null> {
  if (actor.type === 'user' && actor.id) return (await users(ctx)(actor.id))?.email ?? actor.label;
  if (actor.type === 'token' && actor.id) {
    const token = await tokens(ctx)(actor.id);
    return token ? `${token.email} (token ${token.name})` : actor.label;
  }
  if (actor.type === 'api_key' && actor.id) {
    const key = await keys(ctx, projectId)(actor.id);
    return key ? `API key ${key.name} (${key.prefix}…)` : actor.label;
  }
  return actor.label;
}
