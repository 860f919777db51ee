import type { AppDeps } from '../context';
import { compactUsageDeltas } from '../db/repositories/usage-rollups';

// Folds the usage deltas that triggers on `spans` append into the hourly roll-ups
// (docs/usage-rollups.md). Reads are exact without it (they add the pending deltas), so it
// only keeps them fast: every few seconds the pending deltas are a few seconds of ingest. Any
// number of servers may run it; a transaction-scoped advisory lock lets one fold at a time and
// the others skip that round.

export const USAGE_COMPACT_INTERVAL_MS = 5_000;

export interface UsageCompactor {
  /** Folds once; -1 when another compactor held the lock. */
  runOnce(): Promise<number>;
  start(): void;
  /** Stops scheduling and waits for a fold in progress. */
  stop(): Promise<void>;
}

export function createUsageCompactor(deps: Pick<AppDeps, 'db' | 'logger'>, intervalMs = USAGE_COMPACT_INTERVAL_MS): UsageCompactor {
  let timer: NodeJS.Timeout | undefined;
  let current: Promise<unknown> | undefined;
  let stopped = false;

  const runOnce = () => compactUsageDeltas(deps.db);

  function schedule(): void {
    if (stopped) return;
    timer = setTimeout(() => {
      current = runOnce()
        .catch((err: unknown) => deps.logger.error({ err: err instanceof Error ? err.message : String(err) }, 'usage compaction failed; retrying at the next interval'))
        .finally(() => {
          current = undefined;
          schedule();
        });
    }, intervalMs);
    timer.unref();
  }

  return {
    runOnce,
    start: schedule,
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await current;
    },
  };
}
