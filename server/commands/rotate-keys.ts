import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig, type Config } from '../config';
import { createDb } from '../db/create-db';
import { createLogger } from '../logger';
import { loadPlugins } from '../plugins/load-plugins';
import { requireAesGcmCodec, RotationRefused, rotateContentKeys } from '../storage/key-rotation';

// `npm run keys:rotate`: re-encrypts span content under the primary key of the server's key
// ring (see server/storage/key-rotation.ts), printing progress and a final count. With Postgres
// it runs while the server does; the embedded database allows one process, so stop it first.
// Exits 1 while any value is left under another key: the old keys must stay until it exits 0.

/** The embedded database can only be opened by one process: refuse while a server has it open. */
export function checkEmbeddedDatabase(config: Config): void {
  if (config.databaseUrl) return;
  if (config.dataDir === 'memory://') throw new RotationRefused('TOKENTRACE_DATA_DIR is memory://: there is no stored data to rotate');
  const pgdata = join(config.dataDir, 'pgdata');
  if (!existsSync(pgdata)) throw new RotationRefused(`no embedded database in ${pgdata} (set TOKENTRACE_DATA_DIR or DATABASE_URL as the server does)`);
  if (existsSync(join(pgdata, 'postmaster.pid'))) {
    throw new RotationRefused(
      `the embedded database in ${pgdata} is open: stop the server first (embedded PGlite allows one process; ` +
        'with Postgres the rotation runs while the server does). If no server is running, it did not shut ' +
        'down cleanly: start and stop it once, then rerun.',
    );
  }
}

/** The CLI command: the server's config, plugins and key ring, then rotateContentKeys. */
export async function rotateKeysCommand(): Promise<void> {
  try {
    const config = loadConfig();
    const logger = createLogger(config.logLevel);
    checkEmbeddedDatabase(config);
    // Exactly the server's key ring: the same config file, plugins and environment.
    const plugins = await loadPlugins(config, logger);
    const codec = requireAesGcmCodec(plugins.codec);
    const handle = await createDb({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, poolSize: 2 });
    try {
      console.log(`keys:rotate: re-encrypting span content under the primary key "${codec.primaryKeyId}"`);
      let lastPrint = 0;
      const result = await rotateContentKeys({
        db: handle.db,
        codec,
        logger,
        onProgress: (p) => {
          if (Date.now() - lastPrint < 2000) return;
          lastPrint = Date.now();
          console.log(`  ${p.rows} of ~${p.expected} rows (${p.values} values), ${p.failed} failed, ${rate(p.rows, p.elapsedMs)} rows/s`);
        },
      });
      const byReason = Object.entries(result.failures).map(([reason, count]) => `${reason}: ${count}`);
      console.log(
        `keys:rotate: re-encrypted ${result.values} values in ${result.rows} rows in ${(result.elapsedMs / 1000).toFixed(1)} s ` +
          `(${rate(result.rows, result.elapsedMs)} rows/s); ${result.failed} could not be decrypted` +
          `${byReason.length ? ` (${byReason.join(', ')})` : ''}; ${result.remaining} rows still hold a value under another key`,
      );
      if (result.remaining > 0) {
        const missing = result.missingKeyIds.map((id) => `"${id}"`).join(', ');
        console.error(
          'keys:rotate: do not remove the old keys yet. ' +
            (missing ? `Values are sealed with ${missing}, which the key ring lacks: add it after the primary and rerun. ` : '') +
            'Undecryptable values are logged with their span ids; rows written meanwhile under another key mean a ' +
            `server is not yet running with "${codec.primaryKeyId}" first. Rerun to continue.`,
        );
        process.exitCode = 1;
      }
    } finally {
      await handle.close();
    }
  } catch (err) {
    console.error(`keys:rotate: ${err instanceof Error ? err.message : String(err)}`);
    process.exitCode = 1;
  }
}

function rate(rows: number, ms: number): number {
  return ms > 0 ? Math.round((rows * 1000) / ms) : rows;
}
