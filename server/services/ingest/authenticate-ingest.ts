import type { Principal } from '../../auth/principal';
import type { AppDeps } from '../../context';
import { findProjectById } from '../../db/repositories/projects';
import { AppError, forbidden, notFound } from '../../errors';
import type { ProjectSettings } from '../models';
import { toProjectModel } from '../projects';

// The authenticate stage: only an ingest key writes spans, into its one project, within the
// request size and rate limits. The credential itself was checked at the door (a bearer key,
// nothing else); this stage decides what that principal may do with this many spans.

export interface IngestProject {
  projectId: string;
  settings: ProjectSettings;
}

export async function authenticateIngest(
  deps: AppDeps,
  principal: Principal,
  spanCount: number,
  /** The project's settings when the door already has them (read with the ingest key). */
  knownSettings?: ProjectSettings | null,
): Promise<IngestProject> {
  if (principal.kind !== 'ingestKey') throw forbidden('Only an ingest key may send spans.');
  const { maxSpans } = deps.config.ingest;
  if (spanCount > maxSpans) {
    throw new AppError('PAYLOAD_TOO_LARGE', `A request may carry at most ${maxSpans} spans; split the batch.`, { maxSpans });
  }
  await deps.ingestLimiter.take(principal.projectId, spanCount);
  return { projectId: principal.projectId, settings: knownSettings ?? (await loadSettings(deps, principal.projectId)) };
}

async function loadSettings(deps: AppDeps, projectId: string): Promise<ProjectSettings> {
  const row = await findProjectById(deps.db, projectId);
  if (!row) throw notFound('Project');
  return toProjectModel(row).settings;
}
