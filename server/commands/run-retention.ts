import { MAINTENANCE_LOCK } from '../services/background/maintenance';
import { runExclusive } from '../services/background/run-exclusive';
import { runRetention } from '../services/retention/run-retention';
import { withCommandApp } from './with-command-app';

// `npm run retention:run`: applies every project's retention once, now, and prints what it
// removed. It takes the same lock as the servers' maintenance, so it never runs beside one.

export async function runRetentionCommand(): Promise<void> {
  await withCommandApp('retention:run', async (app) => {
    const started = Date.now();
    const outcome = await runExclusive(app.deps, MAINTENANCE_LOCK, () => runRetention(app.deps));
    if (!outcome.ran) {
      console.error('retention:run: a server is running maintenance right now; try again in a moment');
      process.exitCode = 1;
      return;
    }
    for (const r of outcome.value) {
      console.log(
        `  project ${r.projectId} (content ${days(r.contentDays)}, traces ${days(r.traceDays)}): ` +
          `${r.tracesDeleted} traces and ${r.spansDeleted} spans deleted, content removed from ${r.contentRemoved} spans` +
          (r.tracesSkipped ? `, ${r.tracesSkipped} traces being written skipped` : ''),
      );
    }
    console.log(`retention:run: ${outcome.value.length} projects with retention, done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  });
}

function days(n: number | null): string {
  return n === null ? 'kept forever' : `${n} days`;
}
