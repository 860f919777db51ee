import type { AppDeps } from '../../context';
import { runRetention, type ProjectRetentionResult } from '../retention/run-retention';
import { runEnvelopeMigration } from './envelope-migration';
import { runExclusive } from './run-exclusive';

// The server's background work, run every TOKENTRACE_MAINTENANCE_INTERVAL_MINUTES by one server
// at a time (run-exclusive.ts): the one-time envelope migration while it is pending, retention,
// and pruning of the content access log. Each piece works in small batches and stops between
// batches when the server shuts down.

export const MAINTENANCE_LOCK = 'maintenance';
/** The first run waits a little after start, so a rolling restart does not pile runs up. */
const FIRST_RUN_DELAY_MS = 30_000;

export interface MaintenanceReport {
  /** False when another server (or a command) held the lock. */
  ran: boolean;
  retention: ProjectRetentionResult[];
  accessLogPruned: number;
}

/** Extra steps registered by other parts of the server (the access log's pruning). */
export type MaintenanceStep = (deps: AppDeps, signal: AbortSignal) => Promise<Partial<Pick<MaintenanceReport, 'accessLogPruned'>>>;

export interface Maintenance {
  runOnce(options?: { now?: Date; projectIds?: string[] }): Promise<MaintenanceReport>;
  /** Schedules runs every `intervalMs` (no-op when 0). */
  start(): void;
  /** Stops scheduling and waits for a run in progress to reach the end of its batch. */
  stop(): Promise<void>;
}

export function createMaintenance(deps: AppDeps, steps: MaintenanceStep[] = []): Maintenance {
  const abort = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  let current: Promise<unknown> | undefined;

  async function runOnce(options: { now?: Date; projectIds?: string[] } = {}): Promise<MaintenanceReport> {
    const outcome = await runExclusive(deps, MAINTENANCE_LOCK, async () => {
      const report: MaintenanceReport = { ran: true, retention: [], accessLogPruned: 0 };
      // A run scoped to some projects (a test, a command) leaves the whole-database task alone.
      if (!options.projectIds) await runEnvelopeMigration(deps, abort.signal);
      report.retention = await runRetention(deps, { ...options, signal: abort.signal, pauseMs: 5 });
      for (const step of steps) Object.assign(report, await step(deps, abort.signal));
      return report;
    });
    return outcome.ran ? outcome.value : { ran: false, retention: [], accessLogPruned: 0 };
  }

  function schedule(delayMs: number): void {
    if (abort.signal.aborted) return;
    timer = setTimeout(() => {
      current = runOnce()
        .then((report) => {
          const touched = report.retention.filter((r) => r.contentRemoved + r.tracesDeleted > 0).length;
          if (touched > 0 || report.accessLogPruned > 0) deps.logger.info({ projects: touched, accessLogPruned: report.accessLogPruned }, 'maintenance: retention applied');
        })
        .catch((err: unknown) => deps.logger.error({ err: err instanceof Error ? err.message : String(err) }, 'maintenance run failed; retrying at the next interval'))
        .finally(() => {
          current = undefined;
          schedule(deps.config.maintenanceIntervalMs);
        });
    }, delayMs);
    timer.unref();
  }

  return {
    runOnce,
    start() {
      if (deps.config.maintenanceIntervalMs > 0) schedule(Math.min(FIRST_RUN_DELAY_MS, deps.config.maintenanceIntervalMs));
    },
    async stop() {
      abort.abort();
      clearTimeout(timer);
      await current;
    },
  };
}
