import type { AppDeps } from '../context';
import { findAuditChainHead, findAuditChainHeads, hasSignedAuditEntry, lockAuditChain } from '../db/repositories/audit-log';
import { isSignedLink } from './audit-chain';
import { recordAudit, runAudited, systemActor } from './audit-log';

// Chains written before the server had an audit key end with an unsigned (format 1) entry. On
// the first start with a key, each of them gets one signed `audit.chain_keyed` entry on top: its
// signature covers the old head's hash, and so vouches for everything before it as it was then.
//
// Only then: once any entry of the database is signed, nothing is ever adopted again. Otherwise
// whoever rewrites a chain in the old unsigned format would only have to wait for the next
// restart to have the rewrite signed. From the first signed entry on, a chain that ends unsigned
// can only be a rewrite, and verification says so (server/services/audit-chain.ts).

/**
 * On a database that has no signed entry yet, appends a signed entry to every chain (whose
 * newest entry is then unsigned); returns how many. Does nothing on any other database.
 */
export async function keyLegacyAuditChains(deps: AppDeps): Promise<number> {
  if (await hasSignedAuditEntry(deps.db)) return 0;
  let keyed = 0;
  for (const head of await findAuditChainHeads(deps.db)) {
    if (isSignedLink(head.hash)) continue;
    const done = await runAudited(deps, async (trx) => {
      // Another instance starting at the same time may have done it already.
      await lockAuditChain(trx, head.chain);
      const current = await findAuditChainHead(trx, head.chain);
      if (current === null || isSignedLink(current)) return false;
      await recordAudit(trx, systemActor('tokentrace: audit key adopted'), {
        projectId: head.chain,
        action: 'audit.chain_keyed',
        targetType: 'audit_chain',
        targetId: null,
        details: { unsignedHead: current },
      });
      return true;
    });
    if (done) keyed += 1;
  }
  if (keyed > 0) deps.logger.info({ chains: keyed }, 'signed audit chains written before the audit key');
  return keyed;
}
