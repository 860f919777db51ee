import type { ProjectKeys } from '../../../plugins/core/index';
import type { AppDeps } from '../../context';
import { storedKeysOf } from '../../storage/project-keys';
import type { ProjectSettings } from '../models';
import { UnparsedContent } from './content-source-text';
import { redactionReadsContent } from './redact-span';
import type { EarlySealing } from './sealed-in-worker';

// Sealing content where it is read. A read worker (OTLP or GraphQL) that has the body's text in
// hand can also seal it for storage (worker-sealer.ts), when the server knows before the read
// whose spans they are and that no stage will change their content: the door has authenticated
// the ingest key, no redactor applies to the project and it has no custom patterns or drops.
// Then the encode stage takes those bytes instead of sending the batch to the codec's worker
// (encode-pool.ts): one crossing between threads per request instead of two, and the server's
// thread never packs the batch's content again (bench:ingest).
//
// Correct by construction, not by the check above: a seal rides on the very UnparsedContent the
// worker sent (content-source-text.ts), and the encode stage uses it only for that object, in the
// same project, row and column, under the same opened key set. A stage that changes content (a
// redactor, settings changed since) makes a new value, which is sealed as any other; a set reopened
// since (a minute passed, a key rotated) seals again. The check only avoids sealing in vain.

/** Null when content should not be sealed early: the codec has no worker, or a stage reads or drops it. */
export async function earlySealingFor(
  deps: Pick<AppDeps, 'codec' | 'projectKeys' | 'plugins'>,
  projectId: string,
  settings: ProjectSettings | null,
): Promise<EarlySealing | null> {
  if (!deps.codec.worker || !settings || settings.redactInputs || settings.redactOutputs) return null;
  if (redactionReadsContent(deps, projectId, settings)) return null;
  let keys: ProjectKeys | undefined;
  try {
    keys = await deps.projectKeys.forProject(projectId);
  } catch {
    return null; // the ingest itself meets and reports the failure
  }
  const stored = keys ? storedKeysOf(keys) : null;
  // Keys the store did not open cannot be opened again in a worker.
  if (keys && !stored) return null;
  return { target: { projectId, keys: stored ?? null }, keys };
}

/** A content value's stored bytes when a read worker sealed this very value for this place. */
export function sealedEarly(value: unknown, projectId: string, rowId: string, column: 'input' | 'output', keys: ProjectKeys | undefined): Uint8Array | undefined {
  if (!(value instanceof UnparsedContent) || !value.sealed) return undefined;
  const sealed = value.sealed;
  return sealed.projectId === projectId && sealed.rowId === rowId && sealed.column === column && sealed.keys === keys ? sealed.bytes : undefined;
}
