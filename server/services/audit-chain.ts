import type { AuditEvent } from '../../plugins/core/plugin';
import { createHash } from 'node:crypto';
import type { Kysely } from 'kysely';
import { findAuditChainBatch, type AuditChain, type AuditLogRow } from '../db/repositories/audit-log';
import type { Database } from '../db/tables';

// The hash chain that makes the audit log tamper-evident. Each entry's hash covers its content
// and its predecessor's hash in the same chain (one chain per project, one global chain), so
// changing, removing or reordering an entry behind the server's back breaks a link that
// verifyAuditChain finds. The format is versioned: change it only with a new `v`.

const HASH_FORMAT_VERSION = 1;
const VERIFY_BATCH = 500;

/** What the hash covers: every column but the id (a database artefact) and the hashes. */
/** What the hash covers: an audit event's content, without its row id and its own hash. */
export type ChainedContent = Omit<AuditEvent, 'id' | 'hash'>;

/**
 * JSON with object keys sorted at every depth, so the same content always serialises to the
 * same bytes — jsonb does not keep key order, and the hash is recomputed from what it returns.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? 'null' : canonicalJson(v))).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

/** Details as they will read back from jsonb: Dates become strings, undefined disappears. */
export function normaliseDetails(details: unknown): unknown {
  return details === undefined || details === null ? null : (JSON.parse(JSON.stringify(details)) as unknown);
}

export function auditEntryHash(content: ChainedContent, prevHash: string | null): string {
  const canonical = canonicalJson({
    v: HASH_FORMAT_VERSION,
    projectId: content.projectId,
    // Millisecond ISO time: what a JS Date holds, and what the row stores (written from one).
    at: content.at.toISOString(),
    action: content.action,
    actor: content.actor,
    targetType: content.targetType,
    targetId: content.targetId,
    ip: content.ip,
    userAgent: content.userAgent,
    details: content.details ?? null,
    prevHash,
  });
  return createHash('sha256').update(canonical, 'utf8').digest('hex');
}

export function contentOfRow(row: AuditLogRow): ChainedContent {
  return {
    projectId: row.project_id,
    at: row.at,
    action: row.action,
    actor: { type: row.actor_type, id: row.actor_id, label: row.actor_label },
    targetType: row.target_type,
    targetId: row.target_id,
    ip: row.ip,
    userAgent: row.user_agent,
    details: row.details ?? null,
  };
}

export interface AuditVerification {
  ok: boolean;
  /** Entries examined: all of them when ok, up to and including the first broken one otherwise. */
  checked: number;
  /** The first entry whose content no longer matches its hash, or that does not link to its predecessor. */
  firstBrokenId: string | null;
}

/** Walks a chain oldest first in batches, recomputing every hash and every link. */
export async function verifyAuditChain(db: Kysely<Database>, chain: AuditChain): Promise<AuditVerification> {
  let previousHash: string | null = null;
  let afterId: string | null = null;
  let checked = 0;
  for (;;) {
    const rows = await findAuditChainBatch(db, chain, afterId, VERIFY_BATCH);
    for (const row of rows) {
      checked += 1;
      const id = String(row.id);
      const linked = row.prev_hash === previousHash;
      if (!linked || auditEntryHash(contentOfRow(row), row.prev_hash) !== row.hash) {
        return { ok: false, checked, firstBrokenId: id };
      }
      previousHash = row.hash;
      afterId = id;
    }
    if (rows.length < VERIFY_BATCH) return { ok: true, checked, firstBrokenId: null };
  }
}
