import type { AppDeps } from '../context';
import { findAuditChainHead, findAuditChainHeads, lockAuditChain } from '../db/repositories/audit-log';
import { isSignedLink } from './audit-chain';
import { recordAudit, runAudited, systemActor } from './audit-log';

// Chains written before the server had an audit key end with an unsigned (format 1) entry. At
// start, each of them gets one signed `audit.chain_keyed` entry on top: its signature covers
// the old head's hash, and so vouches for everything before it as it was then. From here on a
// chain that ends unsigned can only be a rewrite (server/services/audit-chain.ts).

/** Appends a signed entry to every chain whose newest entry is unsigned; returns how many. */
export async function keyLegacyAuditChains(deps: AppDeps): Promise<number> {
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
