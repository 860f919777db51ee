import type { AuditEvent } from '../../plugins/core/index';
import type { KeyRing } from '../../plugins/encryption/index';
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { Kysely } from 'kysely';
import { findAuditChainBatch, type AuditChain, type AuditLogRow } from '../db/repositories/audit-log';
import type { Database } from '../db/tables';

// The hash chain that makes the audit log tamper-evident. Each entry's link covers its content
// and its predecessor's link in the same chain (one chain per project, one global chain), so
// changing, removing or reordering an entry breaks a link that verifyAuditChain finds.
//
// Format 2 (every entry written now) signs the link: `v2:<key id>:<HMAC-SHA256 hex>`, keyed with
// the server's audit key (server/services/audit-keys.ts), which is kept apart from the data. A
// database superuser who rewrites entries cannot sign the result, so the rewrite shows even if
// every link after it is recomputed. Format 1 (a bare SHA-256 hex, written before the key
// existed) is still read, but only before the first signed entry of a chain, and a chain must
// end with a signed entry (server/services/audit-chain-keying.ts signs old chains once, on the
// first start with a key): turning a signed chain back into format 1 is a rewrite too. The format is versioned: change
// it only with a new `v`.

const VERIFY_BATCH = 500;
const SIGNED_PREFIX = 'v2:';

/** What the link covers: an audit event's content, without its row id and its own link. */
export type ChainedContent = Omit<AuditEvent, 'id' | 'hash' | 'prevHash'>;

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

function canonicalEntry(content: ChainedContent, prevHash: string | null, format: { v: number; keyId?: string }): string {
  return canonicalJson({
    ...format,
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
}

/** Format 1: the plain SHA-256 link of entries written before the audit key existed. */
export function auditEntryHash(content: ChainedContent, prevHash: string | null): string {
  return createHash('sha256').update(canonicalEntry(content, prevHash, { v: 1 }), 'utf8').digest('hex');
}

/** Format 2: the link signed with the ring's primary key, `v2:<key id>:<hex>`. */
export function signAuditEntry(content: ChainedContent, prevHash: string | null, keys: KeyRing): string {
  const { id, key } = keys.primary;
  const mac = createHmac('sha256', key).update(canonicalEntry(content, prevHash, { v: 2, keyId: id }), 'utf8').digest('hex');
  return `${SIGNED_PREFIX}${id}:${mac}`;
}

export function isSignedLink(hash: string): boolean {
  return hash.startsWith(SIGNED_PREFIX);
}

/** Why a stored link does not match its entry, or undefined when it does. */
export function linkProblem(content: ChainedContent, prevHash: string | null, hash: string, keys: KeyRing): string | undefined {
  if (!isSignedLink(hash)) {
    return auditEntryHash(content, prevHash) === hash ? undefined : 'its content no longer matches its hash';
  }
  const [, keyId = '', mac = ''] = hash.split(':');
  const entry = keys.get(keyId);
  if (!entry) return `it is signed with key "${keyId}", which is not in TOKENTRACE_AUDIT_KEYS`;
  const expected = createHmac('sha256', entry.key).update(canonicalEntry(content, prevHash, { v: 2, keyId }), 'utf8').digest();
  const given = /^[0-9a-f]{64}$/.test(mac) ? Buffer.from(mac, 'hex') : Buffer.alloc(0);
  return given.length === expected.length && timingSafeEqual(given, expected)
    ? undefined
    : 'its signature does not match its content: changed, or signed without the audit key';
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
  /** The first entry whose content no longer matches its link, or that does not link to its predecessor. */
  firstBrokenId: string | null;
  /** Why that entry is broken; null when ok. */
  reason: string | null;
}

const broken = (checked: number, row: AuditLogRow, reason: string): AuditVerification => ({
  ok: false,
  checked,
  firstBrokenId: String(row.id),
  reason,
});

/** Walks a chain oldest first in batches, recomputing every link and its signature. */
export async function verifyAuditChain(db: Kysely<Database>, chain: AuditChain, keys: KeyRing): Promise<AuditVerification> {
  let previous: AuditLogRow | null = null;
  let signedSeen = false;
  let afterId: string | null = null;
  let checked = 0;
  for (;;) {
    const rows = await findAuditChainBatch(db, chain, afterId, VERIFY_BATCH);
    for (const row of rows) {
      checked += 1;
      if (row.prev_hash !== (previous?.hash ?? null)) return broken(checked, row, 'it does not link to the entry before it');
      const signed = isSignedLink(row.hash);
      if (signedSeen && !signed) return broken(checked, row, 'it is not signed, but entries before it are');
      const problem = linkProblem(contentOfRow(row), row.prev_hash, row.hash, keys);
      if (problem) return broken(checked, row, problem);
      signedSeen ||= signed;
      previous = row;
      afterId = String(row.id);
    }
    if (rows.length < VERIFY_BATCH) break;
  }
  // Unsigned entries are accepted only as the start of a chain that signed entries follow: a
  // chain that ends unsigned has either not been signed yet or been rewritten without the key.
  if (previous && !signedSeen) {
    return broken(checked, previous, 'the chain ends with an unsigned entry: rewritten without the key, or written before it and not yet signed');
  }
  return { ok: true, checked, firstBrokenId: null, reason: null };
}
