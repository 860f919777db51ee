import { findAllProjectIds } from '../db/repositories/projects';
import { isUuid } from '../services/projects';
import { rotateProjectDataKey } from '../storage/rotate-data-key';
import { CommandRefused } from './embedded-database';
import { printReseal, progressPrinter } from './rotate-keys';
import { withCommandApp } from './with-command-app';

// `npm run keys:rotate-data -- <projectId> [<projectId>…] | --all`: a new data key per project,
// its content re-sealed under it, the old data keys destroyed (server/storage/rotate-data-key.ts).
// It waits about a minute per run before destroying anything, so servers stop using the old key.

export async function rotateDataKeysCommand(args: string[] = process.argv.slice(3)): Promise<void> {
  const all = args.includes('--all');
  const checkArgs = () => {
    if (args.length === 0) throw new CommandRefused('name the projects to rotate (their ids), or --all');
    const bad = args.filter((a) => a !== '--all' && !isUuid(a));
    if (bad.length) throw new CommandRefused(`not a project id: ${bad.join(', ')}`);
  };
  await withCommandApp('keys:rotate-data', async (app) => {
    const projectIds = all ? await findAllProjectIds(app.deps.db) : args;
    let incomplete = 0;
    for (const projectId of projectIds) {
      console.log(`keys:rotate-data: project ${projectId}: new data key, re-sealing its content`);
      const result = await rotateProjectDataKey(app.deps, projectId, { onProgress: progressPrinter() });
      printReseal(result.reseal);
      if (result.retiredKeyIds.length > 0 || result.reseal.remaining === 0) {
        console.log(`  current data key ${result.newKeyId}; destroyed ${result.retiredKeyIds.join(', ') || 'none'}`);
      } else {
        incomplete += 1;
        console.error(`  old data keys kept: some content could not be moved (see the log); rerun to finish`);
      }
    }
    if (incomplete > 0) process.exitCode = 1;
  }, checkArgs);
}
