import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from '../config';

// The embedded database can only be opened by one process: commands that work on stored data
// (keys:rotate, keys:rotate-data, retention:run) refuse while a server has it open. With
// Postgres they run while servers do.

export class CommandRefused extends Error {
  override name = 'CommandRefused';
}

export function checkEmbeddedDatabase(config: Config): void {
  if (config.databaseUrl) return;
  if (config.dataDir === 'memory://') throw new CommandRefused('TOKENTRACE_DATA_DIR is memory://: there is no stored data to work on');
  const pgdata = join(config.dataDir, 'pgdata');
  if (!existsSync(pgdata)) throw new CommandRefused(`no embedded database in ${pgdata} (set TOKENTRACE_DATA_DIR or DATABASE_URL as the server does)`);
  if (existsSync(join(pgdata, 'postmaster.pid'))) {
    throw new CommandRefused(
      `the embedded database in ${pgdata} is open: stop the server first (embedded PGlite allows one process; ` +
        'with Postgres this runs while the server does). If no server is running, it did not shut ' +
        'down cleanly: start and stop it once, then rerun.',
    );
  }
}

/** Rows per second, for progress lines. */
export function rate(rows: number, ms: number): number {
  return ms > 0 ? Math.round((rows * 1000) / ms) : rows;
}
