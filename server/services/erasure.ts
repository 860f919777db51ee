import type { RequestContext } from '../context';
import { deleteTracesOfEndUser } from '../db/repositories/erasure';
import { badInput } from '../errors';
import { recordAudit, runAudited } from './audit-log';
import { endUserHash } from './end-user-hash';

// Erasure of one end user (a data subject's request): every trace of the project whose userId
// matches, with its spans, in one transaction with its audit entry. The entry holds the counts
// and the userId's hash (end-user-hash.ts), never the id or any content. Spans the application
// sends for that user afterwards are stored as usual: stop sending first.

export interface ErasureResult {
  traces: number;
  spans: number;
}

const MAX_USER_ID_LENGTH = 1024;

export async function eraseEndUser(ctx: RequestContext, projectId: string, userId: string): Promise<ErasureResult> {
  if (userId.trim() === '' || userId.length > MAX_USER_ID_LENGTH) {
    throw badInput(`userId must be the exact, non-empty end-user id the traces carry (at most ${MAX_USER_ID_LENGTH} characters).`, { field: 'userId' });
  }
  return runAudited(ctx.deps, async (trx) => {
    const counts = await deleteTracesOfEndUser(trx, projectId, userId);
    await recordAudit(trx, ctx, {
      projectId,
      action: 'end_user.erase',
      targetType: 'end_user',
      targetId: null,
      details: { userIdHash: endUserHash(projectId, userId), ...counts },
    });
    return counts;
  });
}
