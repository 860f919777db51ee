import { createApp } from '../app';
import { loadConfig } from '../config';
import { findAllProjectIds } from '../db/repositories/projects';
import { createLogger } from '../logger';
import { isUuid } from '../services/projects';
import { rotateProjectDataKey } from '../storage/rotate-data-key';
import { CommandRefused, checkEmbeddedDatabase } from './embedded-database';
import { printReseal, progressPrinter } from './rotate-keys';

// `npm run keys:rotate-data -- <projectId> [<projectId>…] | --all`: a new data key per project,
// its content re-sealed under it, the old data keys destroyed (server/storage/rotate-data-key.ts).
// It waits about a minute per run before destroying anything, so servers stop using the old key.

export async function rotateDataKeysCommand(args: string[] = process.argv.slice(3)): Promise<void> {
  try {
    if (args.length === 0) throw new CommandRefused('name the projects to rotate (their ids), or --all');
    const all = args.includes('--all');
    const bad = args.filter((a) => a !== '--all' && !isUuid(a));
    if (bad.length) throw new CommandRefused(`not a project id: ${bad.join(', ')}`);
    const config = loadConfig();
    const logger = createLogger(config.logLevel);
    checkEmbeddedDatabase(config);
    const app = await createApp(config, { logger });
    try {
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
    } finally {
      await app.close();
    }
  } catch (err) {
    console.error(`keys:rotate-data: ${err instanceof Error ? err.message : String(err)}`);
    process.exitCode = 1;
  }
}
