import type { AppDeps } from '../../context';
import { deleteExpiredTraces, findProjectsWithRetention, removeExpiredContent } from '../../db/repositories/retention';
import { recordAudit, runAudited, systemActor } from '../audit-log';
import { parseProjectSettings } from '../projects';
import { retentionCutoff } from './retention-settings';

// The retention job: for each project that sets retention, traces that started more than
// `traceDays` ago are deleted with their spans, and spans that started more than `contentDays`
// ago lose their input, output and statusMessage (tokens, cost and timings stay). Ages count
// from the start time users see, not from when a span was stored.
//
// It works in small batches, each its own short transaction, and never waits for ingest:
// traces an ingest is writing and rows it holds are skipped and picked up by the next run. Each
// project that lost data gets one audit entry per run (system actor `retention`), with counts.
// Run by the server's maintenance (one server at a time, see run-exclusive.ts) and by
// `npm run retention:run`.

export const RETENTION_BATCH = 500;

export interface ProjectRetentionResult {
  projectId: string;
  contentDays: number | null;
  traceDays: number | null;
  /** Spans whose content was dropped. */
  contentRemoved: number;
  tracesDeleted: number;
  spansDeleted: number;
  /** Traces past retention that an ingest was writing; the next run takes them. */
  tracesSkipped: number;
}

export interface RetentionOptions {
  /** The moment ages are counted to. @default now */
  now?: Date;
  /** Only these projects (tests sharing a database, or a command's argument). */
  projectIds?: string[];
  batchSize?: number;
  /** Pause between batches, to leave the database to ingest on a busy server. @default 0 */
  pauseMs?: number;
  /** Stops between batches (server shutdown). */
  signal?: AbortSignal;
}

export async function runRetention(deps: AppDeps, options: RetentionOptions = {}): Promise<ProjectRetentionResult[]> {
  const now = options.now ?? new Date();
  const batch = options.batchSize ?? RETENTION_BATCH;
  const pause = () => (options.pauseMs ? new Promise((resolve) => setTimeout(resolve, options.pauseMs)) : Promise.resolve());
  const scope = options.projectIds ? new Set(options.projectIds) : undefined;
  const results: ProjectRetentionResult[] = [];

  for (const project of await findProjectsWithRetention(deps.db)) {
    if (scope && !scope.has(project.id)) continue;
    if (options.signal?.aborted) break;
    const { retention } = parseProjectSettings(project.settings);
    const result: ProjectRetentionResult = { projectId: project.id, ...retention, contentRemoved: 0, tracesDeleted: 0, spansDeleted: 0, tracesSkipped: 0 };

    // Whole traces first: no point emptying spans about to be deleted.
    const traceCutoff = retentionCutoff(retention.traceDays, now);
    if (traceCutoff) {
      let after: { startTime: Date; id: string } | null = null;
      while (!options.signal?.aborted) {
        const r = await deleteExpiredTraces(deps.db, project.id, traceCutoff, after, batch);
        result.tracesDeleted += r.traces;
        result.spansDeleted += r.spans;
        result.tracesSkipped += r.skipped;
        if (!r.next) break;
        after = r.next;
        await pause();
      }
    }
    const contentCutoff = retentionCutoff(retention.contentDays, now);
    if (contentCutoff) {
      while (!options.signal?.aborted) {
        const n = await removeExpiredContent(deps.db, project.id, contentCutoff, batch);
        result.contentRemoved += n;
        if (n === 0) break;
        await pause();
      }
    }

    if (result.contentRemoved + result.tracesDeleted + result.spansDeleted > 0) {
      await runAudited(deps, (trx) =>
        recordAudit(trx, systemActor('retention'), {
          projectId: project.id,
          action: 'retention.run',
          targetType: 'project',
          targetId: project.id,
          details: {
            contentDays: result.contentDays,
            traceDays: result.traceDays,
            contentRemoved: result.contentRemoved,
            tracesDeleted: result.tracesDeleted,
            spansDeleted: result.spansDeleted,
          },
        }),
      );
    }
    results.push(result);
  }
  return results;
}
