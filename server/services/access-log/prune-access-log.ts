import type { AppDeps } from '../../context';
import { pruneContentAccessRows } from '../../db/repositories/content-access-log';

// A maintenance step: content access log entries older than TOKENTRACE_ACCESS_LOG_DAYS go, in
// batches, oldest first.

const BATCH = 5_000;

export async function pruneAccessLog(deps: AppDeps, signal: AbortSignal, now: Date = new Date()): Promise<{ accessLogPruned: number }> {
  const before = new Date(now.getTime() - deps.config.accessLogRetentionDays * 86_400_000);
  let pruned = 0;
  while (!signal.aborted) {
    const n = await pruneContentAccessRows(deps.db, before, BATCH);
    pruned += n;
    if (n < BATCH) break;
  }
  return { accessLogPruned: pruned };
}
