import type { AppDeps } from '../../context';
import { isTaskPending, markTaskDone } from '../../db/repositories/maintenance-tasks';
import { resealContent, type ResealResult } from '../../storage/content-reseal';

// Content written before envelope encryption is sealed with a master key directly; a deleted
// project's copies of it would stay readable with the master key. Migration 20261206000100
// queues this task, and the first maintenance run moves that content under each project's data
// key — online, in batches, as `npm run keys:rotate` does — then marks the task done.

export const ENVELOPE_MIGRATION = 'envelope-migration';

export async function runEnvelopeMigration(deps: AppDeps, signal?: AbortSignal): Promise<ResealResult | undefined> {
  // Without a codec that keeps keys there is nothing to move (yet): the task waits for one.
  if (!deps.projectKeys.enabled || typeof deps.codec.currentPrefix !== 'function') return undefined;
  if (!(await isTaskPending(deps.db, ENVELOPE_MIGRATION))) return undefined;
  const result = await resealContent({ db: deps.db, codec: deps.codec, keyStore: deps.projectKeys, logger: deps.logger, pauseMs: 10, signal });
  if (signal?.aborted) return result;
  const { rows, values, failed, remaining, unopenedProjects } = result;
  await markTaskDone(deps.db, ENVELOPE_MIGRATION, { rows, values, failed, remaining, unopenedProjects: unopenedProjects.length });
  if (remaining > 0 || unopenedProjects.length > 0) {
    deps.logger.error(
      { failed, remaining, unopenedProjects: unopenedProjects.length },
      'envelope migration: some content is still sealed with a master key directly (see the errors above); fix the key ring and run npm run keys:rotate',
    );
  } else {
    deps.logger.info({ rows, values }, 'envelope migration: content moved under per-project data keys');
  }
  return result;
}
