import type { Transaction } from 'kysely';
import type { AuditEvent } from '../../plugins/core/index';
import { parseCredential } from '../auth/secrets';
import type { AppDeps, RequestContext } from '../context';
import {
  countAuditEntries,
  findAuditChainHead,
  findAuditPage,
  insertAuditRow,
  lockAuditChain,
  type AuditLogRow,
  type AuditRowFilter,
} from '../db/repositories/audit-log';
import { findCredentialPrefix } from '../db/repositories/credentials';
import { findUserByEmail, findUserEmail, normaliseEmail } from '../db/repositories/users';
import type { Database } from '../db/tables';
import { badInput } from '../errors';
import { auditCursor } from './page-cursor';
import type { KeyRing } from '../../plugins/encryption/index';
import { normaliseDetails, signAuditEntry, verifyAuditChain, type AuditVerification, type ChainedContent, contentOfRow } from './audit-chain';

// Admin changes are recorded in the transaction that makes them: the change and its entry
// commit together or not at all. Plugins' audit sinks see an entry only after it committed.

export const AUDIT_ACTIONS = [
  'api_key.create',
  'api_key.rotate',
  'api_key.revoke',
  'token.create',
  'token.revoke',
  'member.add',
  'member.role_change',
  'member.remove',
  'project.create',
  'project.delete',
  'project.settings_change',
  'project.rename',
  'retention.run',
  'end_user.erase',
  'export.start',
  'export.finish',
  'data_key.rotate',
  'auth.sign_in',
  'auth.sign_in_failed',
  'auth.sign_out',
  'auth.session_revoke',
  'auth.sessions_revoke_others',
  'auth.password_change',
  'auth.provider_link',
  'auth.provider_unlink',
  /** The server signed a chain written before it had an audit key (audit-chain-keying.ts). */
  'audit.chain_keyed',
  'model_price.set',
  'model_price.archive',
  'model_price.fill_unpriced',
  'invitation.create',
  'invitation.revoke',
  'invitation.accept',
] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

export interface AuditActor {
  /** `user`, `token`, `api_key`, `system`, or `anonymous` (a failed sign-in). */
  type: string;
  id: string | null;
  label: string | null;
}

/** A change made by the server itself (a CLI command, a scheduled job), not by a request. */
export interface SystemActor {
  kind: 'system';
  label: string;
}

export const systemActor = (label: string): SystemActor => ({ kind: 'system', label });

export interface AuditEntryInput {
  /** The project's chain; null for the global one (sign-ins, personal access tokens). */
  projectId: string | null;
  action: AuditAction;
  targetType: string;
  targetId: string | null;
  /** Facts about the change (before/after, names, prefixes). Never a secret. */
  details?: unknown;
  /** Who acted, when it is not the request's principal: the user who is signing in, nobody yet. */
  actor?: AuditActor;
}

export interface AuditLogEntryModel {
  id: string;
  projectId: string | null;
  at: Date;
  action: string;
  actor: AuditActor;
  targetType: string;
  targetId: string | null;
  ip: string | null;
  userAgent: string | null;
  details: unknown;
}

type Trx = Transaction<Database>;

// Events recorded in a transaction, waiting for its commit, and the key that signs them. Keyed
// by the transaction object, so recordAudit cannot be used outside runAudited by mistake (sinks
// would never hear of it).
const pendingEvents = new WeakMap<Trx, { events: AuditEvent[]; keys: KeyRing }>();

/** A transaction whose audit entries are handed to the plugins' sinks once it has committed. */
export async function runAudited<T>(deps: AppDeps, work: (trx: Trx) => Promise<T>): Promise<T> {
  const events: AuditEvent[] = [];
  const result = await deps.db.transaction().execute(async (trx) => {
    pendingEvents.set(trx, { events, keys: deps.auditKeys });
    return work(trx);
  });
  deliverToSinks(deps, events);
  return result;
}

/** Hands each event to each sink. A sink's failure is logged and never reaches the caller. */
function deliverToSinks(deps: AppDeps, events: AuditEvent[]): void {
  for (const event of events) {
    for (const sink of deps.plugins.auditSinks) {
      const fail = (err: unknown) =>
        deps.logger.error({ sink: sink.name, auditId: event.id, err: err instanceof Error ? err.message : String(err) }, 'audit sink failed');
      try {
        // A copy per sink: one sink mutating its event must not change what the next one sees.
        const written = sink.write(structuredClone(event));
        if (written && typeof written.then === 'function') written.then(undefined, fail);
      } catch (err) {
        fail(err);
      }
    }
  }
}

async function actorOf(trx: Trx, ctx: RequestContext): Promise<AuditActor> {
  const p = ctx.principal;
  if (p.kind === 'user' && p.via === 'token') {
    const prefix = await findCredentialPrefix(trx, 'token', p.tokenId);
    return { type: 'token', id: p.tokenId, label: `${prefix ?? 'ttp_?'} (user ${p.userId})` };
  }
  if (p.kind === 'ingestKey') {
    return { type: 'api_key', id: p.apiKeyId, label: (await findCredentialPrefix(trx, 'api_key', p.apiKeyId)) ?? null };
  }
  const userId = ctx.actingUserId();
  if (!userId) return { type: 'anonymous', id: null, label: null };
  return { type: 'user', id: userId, label: (await findUserEmail(trx, userId)) ?? null };
}

const CREDENTIAL_LIKE = /(?:ttk|ttp)_[0-9A-Za-z]{61}/g;

/** True when a string anywhere in `value` holds one of our whole keys or tokens. */
function holdsCredential(value: unknown): boolean {
  if (typeof value === 'string') return [...value.matchAll(CREDENTIAL_LIKE)].some((m) => parseCredential(m[0]) !== undefined);
  if (value && typeof value === 'object') return Object.values(value).some(holdsCredential);
  return false;
}

function toEntryModel(row: AuditLogRow): AuditLogEntryModel {
  return { id: String(row.id), ...contentOfRow(row) };
}

/**
 * Appends one entry to its chain inside the caller's transaction (opened by runAudited). Call
 * it last in the transaction: it holds the chain's lock until commit, so nothing after it
 * should wait on other locks.
 */
export async function recordAudit(trx: Trx, who: RequestContext | SystemActor, entry: AuditEntryInput): Promise<AuditEvent> {
  const pending = pendingEvents.get(trx);
  if (!pending) throw new Error('recordAudit must run in a transaction opened by runAudited');
  // A last guard for a careless caller: a whole secret in the details fails the change rather
  // than being written into an append-only table, where it could never be removed.
  if (holdsCredential(entry.details)) throw new Error(`audit details of ${entry.action} hold a key or token secret`);
  const fromRequest = !('kind' in who);
  const actor: AuditActor = entry.actor ?? (fromRequest ? await actorOf(trx, who) : { type: 'system', id: null, label: who.label });
  await lockAuditChain(trx, entry.projectId);
  const prevHash = await findAuditChainHead(trx, entry.projectId);
  const content: ChainedContent = {
    projectId: entry.projectId,
    // Taken under the lock, so times within a chain follow its order.
    at: new Date(),
    action: entry.action,
    actor,
    targetType: entry.targetType,
    targetId: entry.targetId,
    ip: fromRequest ? who.meta.ip : null,
    userAgent: fromRequest ? (who.meta.userAgent?.slice(0, 512) ?? null) : null,
    details: normaliseDetails(entry.details),
  };
  const hash = signAuditEntry(content, prevHash, pending.keys);
  const id = await insertAuditRow(trx, {
    project_id: content.projectId,
    at: content.at,
    action: content.action,
    actor_type: actor.type,
    actor_id: actor.id,
    actor_label: actor.label,
    target_type: content.targetType,
    target_id: content.targetId,
    ip: content.ip,
    user_agent: content.userAgent,
    details: content.details === null ? null : JSON.stringify(content.details),
    prev_hash: prevHash,
    hash,
  });
  const event: AuditEvent = { ...content, id, actor: { ...actor }, hash, prevHash };
  pending.events.push(event);
  return event;
}

export interface AuditLogFilter {
  action?: string | null;
  actorId?: string | null;
  /** The e-mail of the person who acted (as a user or through their tokens). */
  actorEmail?: string | null;
  from?: Date | null;
  to?: Date | null;
}

export interface AuditLogPage {
  edges: { cursor: string; node: AuditLogEntryModel }[];
  hasNextPage: boolean;
  hasPreviousPage: boolean;
  totalCount: () => Promise<number>;
}

export const DEFAULT_AUDIT_PAGE_SIZE = 50;
export const MAX_AUDIT_PAGE_SIZE = 200;

/** A project's entries, newest first; keyset pages on the id. */
export async function listAuditLog(
  ctx: RequestContext,
  projectId: string,
  filter: AuditLogFilter | null | undefined,
  first: number | null | undefined,
  after: string | null | undefined,
): Promise<AuditLogPage> {
  const limit = first ?? DEFAULT_AUDIT_PAGE_SIZE;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_AUDIT_PAGE_SIZE) {
    throw badInput(`first must be between 1 and ${MAX_AUDIT_PAGE_SIZE}.`, { field: 'first' });
  }
  const { actorEmail, ...rest } = filter ?? {};
  const f: AuditRowFilter = rest;
  const beforeId = after ? auditCursor.decode(after)[0] : null;
  const { db } = ctx.deps;
  if (actorEmail) {
    if (actorEmail.length > 320) throw badInput('actorEmail is longer than 320 characters.', { field: 'actorEmail' });
    const email = normaliseEmail(actorEmail);
    f.actor = { email, userId: (await findUserByEmail(db, email))?.id ?? null };
  }
  const rows = await findAuditPage(db, projectId, f, beforeId, limit + 1);
  return {
    edges: rows.slice(0, limit).map((row) => ({ cursor: auditCursor.encode(String(row.id)), node: toEntryModel(row) })),
    hasNextPage: rows.length > limit,
    hasPreviousPage: beforeId !== null,
    totalCount: () => countAuditEntries(db, projectId, f),
  };
}

export function verifyAuditLog(ctx: RequestContext, projectId: string): Promise<AuditVerification> {
  return verifyAuditChain(ctx.deps.db, projectId, ctx.deps.auditKeys);
}
