import { closeSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';

// One process at a time on an embedded database. PGlite opens a data folder that another
// process is using without complaint, and two writers (a second `npm start`, or a backup or
// restore next to a running server) corrupt it. So whoever opens the folder holds a lock
// file with its pid; a lock whose process is gone is taken over.

export const LOCK_FILE_NAME = 'tokentrace.lock';

export class DataDirInUseError extends Error {
  override name = 'DataDirInUseError';
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Takes the data folder's lock; returns the function that releases it. */
export function lockDataDir(dataDir: string, purpose: string): () => void {
  const path = join(dataDir, LOCK_FILE_NAME);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(path, 'wx', 0o600);
      writeSync(fd, `${process.pid}\n${purpose}\n`);
      closeSync(fd);
      let held = true;
      return () => {
        if (!held) return;
        held = false;
        try {
          unlinkSync(path);
        } catch {
          // Already gone: nothing to release.
        }
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const [pidText, holder] = readFileSync(path, 'utf8').split('\n');
    const pid = Number(pidText);
    if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && isAlive(pid)) {
      throw new DataDirInUseError(
        `The embedded database in ${dataDir} is in use by process ${pid} (${holder || 'tokentrace'}). Stop it first; ` +
          `if no tokentrace process runs, delete ${path}.`,
      );
    }
    unlinkSync(path); // left behind by a process that is gone
  }
  throw new DataDirInUseError(`Could not lock ${path}: another process keeps taking it.`);
}
