import type { AppDeps } from '../context';
import { deleteProjectDataKeysById, insertNextProjectDataKey } from '../db/repositories/project-data-keys';
import { recordAudit, runAudited, systemActor } from '../services/audit-log';
import { resealContent, ResealRefused, type ResealProgress, type ResealResult } from './content-reseal';
import { KEY_CACHE_MS } from './project-keys';

// `npm run keys:rotate-data`: a project gets a new data key, its content is re-sealed under it,
// and the old data keys are destroyed — so content copied out before (a table dump, a replica)
// is then unreadable, as after a project deletion, while the project lives on.
//
// Servers keep a project's opened keys for KEY_CACHE_MS and may seal a few values with the old
// current key meanwhile. So the old keys are destroyed only after that long has passed since the
// new key was stored, and after a last pass found nothing left under them.

export interface DataKeyRotationResult {
  projectId: string;
  newKeyId: string;
  /** Old keys destroyed; empty when some content could not be moved (then they are kept). */
  retiredKeyIds: string[];
  reseal: ResealResult;
}

export interface RotateDataKeyOptions {
  /** How long servers may still use the old key. @default KEY_CACHE_MS + 10 s */
  graceMs?: number;
  batchRows?: number;
  onProgress?: (progress: ResealProgress) => void;
}

export async function rotateProjectDataKey(deps: AppDeps, projectId: string, options: RotateDataKeyOptions = {}): Promise<DataKeyRotationResult> {
  const hooks = deps.codec.projectKeys;
  if (!hooks) throw new ResealRefused(`the configured content codec is "${deps.codec.name}", which keeps no per-project keys`);
  const before = await deps.projectKeys.forProject(projectId, { fresh: true });
  const oldKeyIds = [...(before?.keyIds ?? [])];
  const key = hooks.create(projectId);
  await insertNextProjectDataKey(deps.db, projectId, key);
  const storedAt = Date.now();
  deps.projectKeys.forget(projectId);

  const walk = () => resealContent({ db: deps.db, codec: deps.codec, keyStore: deps.projectKeys, logger: deps.logger, projectIds: [projectId], batchRows: options.batchRows, onProgress: options.onProgress });
  const first = await walk();
  const graceMs = options.graceMs ?? KEY_CACHE_MS + 10_000;
  const wait = storedAt + graceMs - Date.now();
  if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
  const last = await walk();
  const reseal: ResealResult = { ...last, rows: first.rows + last.rows, values: first.values + last.values, expected: first.expected };
  if (last.remaining > 0 || last.failed > 0 || last.unopenedProjects.length > 0) {
    return { projectId, newKeyId: key.id, retiredKeyIds: [], reseal };
  }
  await runAudited(deps, async (trx) => {
    await deleteProjectDataKeysById(trx, projectId, oldKeyIds);
    await recordAudit(trx, systemActor('keys:rotate-data'), {
      projectId,
      action: 'data_key.rotate',
      targetType: 'project',
      targetId: projectId,
      details: { newKeyId: key.id, retiredKeyIds: oldKeyIds, valuesResealed: reseal.values },
    });
  });
  deps.projectKeys.forget(projectId);
  return { projectId, newKeyId: key.id, retiredKeyIds: oldKeyIds, reseal };
}
