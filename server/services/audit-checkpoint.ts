import type { KeyRing } from '../../plugins/encryption/index';
import type { Kysely } from 'kysely';
import { findAuditEntryLink, type AuditChain } from '../db/repositories/audit-log';
import type { Database } from '../db/tables';
import { isSignedLink, linkProblem, type ChainedContent } from './audit-chain';

// Truncation: removing a chain's newest entries leaves no broken link, because nothing after
// them points back. An exported audit line (plugins/audit/json-lines-sink.ts) is a signed
// checkpoint: its link is an HMAC over the entry's content and its predecessor's link, so nobody
// without the audit key can make one up, and the database must still hold that entry. Checked
// against the newest exported line of a chain, a database that lost entries shows it.

/** One exported line, as the JSON-lines sink writes it. */
export interface AuditCheckpoint {
  id: string;
  chain: AuditChain;
  content: ChainedContent;
  hash: string;
  prevHash: string | null;
}

const AUDIT_LINE_SOURCE = 'tokentrace.audit';

function parseLine(line: string): AuditCheckpoint | undefined {
  let v: Record<string, any>;
  try {
    v = JSON.parse(line);
  } catch {
    return undefined; // not ours: the sink may share a stream with other logs
  }
  if (v?.source !== AUDIT_LINE_SOURCE || typeof v.id !== 'string' || !/^\d{1,19}$/.test(v.id) || typeof v.hash !== 'string') return undefined;
  return {
    id: v.id,
    chain: v.projectId ?? null,
    content: {
      projectId: v.projectId ?? null,
      at: new Date(v.at),
      action: v.action,
      actor: v.actor,
      targetType: v.targetType,
      targetId: v.targetId ?? null,
      ip: v.ip ?? null,
      userAgent: v.userAgent ?? null,
      details: v.details ?? null,
    },
    hash: v.hash,
    prevHash: v.prevHash ?? null,
  };
}

/** The newest signed line of `chain` in an export (JSON lines, other lines ignored). */
export function newestCheckpoint(jsonLines: string, chain: AuditChain): AuditCheckpoint | undefined {
  let newest: AuditCheckpoint | undefined;
  for (const line of jsonLines.split('\n')) {
    const checkpoint = parseLine(line);
    if (!checkpoint || checkpoint.chain !== chain || !isSignedLink(checkpoint.hash)) continue;
    if (!newest || BigInt(checkpoint.id) > BigInt(newest.id)) newest = checkpoint;
  }
  return newest;
}

/** Why the database does not hold what the checkpoint vouches for, or undefined when it does. */
export async function checkpointProblem(db: Kysely<Database>, checkpoint: AuditCheckpoint, keys: KeyRing): Promise<string | undefined> {
  const forged = linkProblem(checkpoint.content, checkpoint.prevHash, checkpoint.hash, keys);
  if (forged) return `the checkpoint (entry ${checkpoint.id}) is not genuine: ${forged}`;
  const row = await findAuditEntryLink(db, checkpoint.id);
  if (!row || row.project_id !== checkpoint.chain) {
    return `entry ${checkpoint.id} (${checkpoint.content.action}, ${checkpoint.content.at.toISOString()}) was exported but is missing from the database: entries were removed`;
  }
  if (row.hash !== checkpoint.hash) return `entry ${checkpoint.id} differs from the exported checkpoint`;
  return undefined;
}
