import { sql, type Expression, type ExpressionBuilder, type Insertable, type Kysely, type Selectable, type SqlBool } from 'kysely';
import type { AuditLogTable, Database } from '../tables';

type Db = Kysely<Database>;

export type AuditLogRow = Selectable<AuditLogTable>;

/** One chain per project; `null` is the global chain (sign-ins, personal tokens). */
export type AuditChain = string | null;

function inChain(eb: ExpressionBuilder<Database, 'audit_log'>, chain: AuditChain): Expression<SqlBool> {
  return chain === null ? eb('audit_log.project_id', 'is', null) : eb('audit_log.project_id', '=', chain);
}

/**
 * Serialises writers of one chain until the caller's transaction ends, so two concurrent
 * entries can never both link to the same predecessor (a forked chain). An advisory lock
 * rather than a row lock: the chain's head row may not exist yet.
 */
export async function lockAuditChain(trx: Db, chain: AuditChain): Promise<void> {
  await sql`select pg_advisory_xact_lock(hashtextextended(${`audit:${chain ?? 'global'}`}, 0))`.execute(trx);
}

/** The hash of the chain's newest entry; null for an empty chain. */
export async function findAuditChainHead(trx: Db, chain: AuditChain): Promise<string | null> {
  const row = await trx
    .selectFrom('audit_log')
    .select('hash')
    .where((eb) => inChain(eb, chain))
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row?.hash ?? null;
}

/** One entry's chain and link, by id. */
export function findAuditEntryLink(db: Db, id: string): Promise<{ project_id: string | null; hash: string } | undefined> {
  return db.selectFrom('audit_log').select(['project_id', 'hash']).where('id', '=', id).executeTakeFirst();
}

/** True once any entry of any chain carries a signed (format 2) link. */
export async function hasSignedAuditEntry(db: Db): Promise<boolean> {
  // Newest first on the primary key: in a signed database the first row looked at matches.
  const row = await db.selectFrom('audit_log').select('id').where('hash', 'like', 'v2:%').orderBy('id', 'desc').limit(1).executeTakeFirst();
  return row !== undefined;
}

/** The newest entry's link of every chain (null project id: the global chain). */
export async function findAuditChainHeads(db: Db): Promise<{ chain: AuditChain; hash: string }[]> {
  const rows = await db
    .selectFrom('audit_log')
    .distinctOn('project_id')
    .select(['project_id', 'hash'])
    .orderBy('project_id')
    .orderBy('id', 'desc')
    .execute();
  return rows.map((r) => ({ chain: r.project_id, hash: r.hash }));
}

/** `details` is already serialised JSON (or null); `at` is set by the caller, since it is hashed. */
export type NewAuditRow = Insertable<AuditLogTable> & { at: Date };

export async function insertAuditRow(trx: Db, row: NewAuditRow): Promise<string> {
  const inserted = await trx.insertInto('audit_log').values(row).returning('id').executeTakeFirstOrThrow();
  // int8 comes back as a string from pg and as a number or bigint from PGlite.
  return String(inserted.id);
}

/** A chain oldest first, `limit` entries after `afterId`: verification walks it in batches. */
export function findAuditChainBatch(db: Db, chain: AuditChain, afterId: string | null, limit: number): Promise<AuditLogRow[]> {
  return db
    .selectFrom('audit_log')
    .selectAll()
    .where((eb) => (afterId === null ? inChain(eb, chain) : eb.and([inChain(eb, chain), eb('audit_log.id', '>', afterId)])))
    .orderBy('id', 'asc')
    .limit(limit)
    .execute();
}

export interface AuditRowFilter {
  action?: string | null;
  actorId?: string | null;
  /** Entries by this person: as a user (by e-mail as recorded, or by their id) or through one of their tokens. */
  actor?: { email: string; userId: string | null } | null;
  from?: Date | null;
  to?: Date | null;
}

function filterConditions(eb: ExpressionBuilder<Database, 'audit_log'>, projectId: string, f: AuditRowFilter): Expression<SqlBool>[] {
  const conditions: Expression<SqlBool>[] = [eb('audit_log.project_id', '=', projectId)];
  if (f.action) conditions.push(eb('audit_log.action', '=', f.action));
  if (f.actorId) conditions.push(eb('audit_log.actor_id', '=', f.actorId));
  if (f.actor) {
    const { email, userId } = f.actor;
    const byUser = [eb(sql`lower(audit_log.actor_label)`, '=', email)];
    if (userId) {
      byUser.push(eb('audit_log.actor_id', '=', userId));
      // A token's label is "ttp_… (user <id>)" (services/audit-log.ts, actorOf).
      byUser.push(eb.and([eb('audit_log.actor_type', '=', 'token'), eb('audit_log.actor_label', 'like', `% (user ${userId})`)]));
    }
    conditions.push(eb.or(byUser));
  }
  if (f.from) conditions.push(eb('audit_log.at', '>=', f.from));
  if (f.to) conditions.push(eb('audit_log.at', '<', f.to));
  return conditions;
}

/** Newest first, keyset on id (strictly below `beforeId`). */
export function findAuditPage(
  db: Db,
  projectId: string,
  filter: AuditRowFilter,
  beforeId: string | null,
  limit: number,
): Promise<AuditLogRow[]> {
  return db
    .selectFrom('audit_log')
    .selectAll()
    .where((eb) => {
      const conditions = filterConditions(eb, projectId, filter);
      if (beforeId !== null) conditions.push(eb('audit_log.id', '<', beforeId));
      return eb.and(conditions);
    })
    .orderBy('id', 'desc')
    .limit(limit)
    .execute();
}

export async function countAuditEntries(db: Db, projectId: string, filter: AuditRowFilter): Promise<number> {
  const r = await db
    .selectFrom('audit_log')
    .select((eb) => eb.fn.countAll<string | number>().as('n'))
    .where((eb) => eb.and(filterConditions(eb, projectId, filter)))
    .executeTakeFirstOrThrow();
  return Number(r.n);
}
