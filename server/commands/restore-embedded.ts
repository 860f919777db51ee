import { copyFileSync, existsSync, readFileSync } from 'node:fs';
import { mkdir, readFile, rm } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig, type Config } from '../config';
import { createProjectKeyStore } from '../storage/project-keys';
import { createDb } from '../db/create-db';
import { lockDataDir } from '../db/data-dir-lock';
import { pendingMigrations } from '../db/migrate';
import { countRows, sampleSpanContents } from '../db/repositories/span-samples';
import { createLogger } from '../logger';
import { loadPlugins } from '../plugins/load-plugins';
import { readContent } from '../storage/content';
import { CommandRefused, describeKeySource, hasEmbeddedDatabase, keyFilePath, pgdataDir, requireEmbedded } from './embedded-data';

// `npm run restore -- FILE [--keys KEY_FILE]`: a backup made by `npm run backup` into an empty
// TOKENTRACE_DATA_DIR. It never overwrites a database. With --keys the backed-up key file is put
// in place; then the restored content is read back with the key ring the server will use, so a
// missing or wrong key shows now, not as unreadable traces after the first start.

async function loadDump(config: Config, file: string): Promise<void> {
  const unlock = lockDataDir(config.dataDir, 'npm run restore');
  try {
    const { PGlite } = await import('@electric-sql/pglite');
    const blob = new Blob([await readFile(file)]);
    try {
      const pglite = await PGlite.create({ dataDir: pgdataDir(config), loadDataDir: blob });
      await pglite.close();
    } catch (err) {
      // Leave no half-written database behind for the next start to trip over.
      await rm(pgdataDir(config), { recursive: true, force: true });
      throw new CommandRefused(`${file} is not a tokentrace backup PGlite can load (${err instanceof Error ? err.message : String(err)}).`);
    }
  } finally {
    unlock();
  }
}

function installKeyFile(config: Config, source: string): void {
  const target = keyFilePath(config);
  if (existsSync(target)) {
    if (readFileSync(target, 'utf8') === readFileSync(source, 'utf8')) return;
    throw new CommandRefused(`${target} exists and differs from ${source}: move it away first (it may be the only copy of another key).`);
  }
  copyFileSync(source, target);
}

/** Reads up to 20 stored values back with the server's key ring; returns how many failed. */
async function checkContent(config: Config): Promise<{ checked: number; unreadable: number; projects: number; spans: number; pending: string[] }> {
  const logger = createLogger('silent');
  const plugins = await loadPlugins(config, logger);
  const handle = await createDb({ dataDir: config.dataDir, purpose: 'npm run restore' });
  try {
    const pending = await pendingMigrations(handle.db);
    const counts = await countRows(handle.db);
    let checked = 0;
    let unreadable = 0;
    // Content is sealed under each project's data key, itself wrapped by the key ring: a wrong
    // key ring shows as data keys that cannot be opened, which counts the value unreadable too.
    const projectKeys = createProjectKeyStore(handle.db, plugins.codec, { cacheMs: 0 });
    for (const row of await sampleSpanContents(handle.db, 20)) {
      const keys = await projectKeys.forProject(row.project_id).catch(() => null);
      for (const column of ['input', 'output'] as const) {
        if (row[column] === null) continue;
        checked++;
        if (keys === null) {
          unreadable++;
          continue;
        }
        const where = { projectId: row.project_id, table: 'spans', rowId: row.id, column, ...(keys ? { keys } : {}) };
        const result = readContent(plugins.codec, row[column], where);
        if (!result.ok) unreadable++;
      }
    }
    return { checked, unreadable, pending, ...counts };
  } finally {
    await handle.close();
  }
}

export async function restoreCommand(args = process.argv.slice(3)): Promise<void> {
  const { values, positionals } = parseArgs({ args, options: { keys: { type: 'string' } }, allowPositionals: true, strict: true });
  const config = loadConfig();
  requireEmbedded(config, 'restore');
  const file = positionals[0];
  if (!file || positionals.length > 1) throw new CommandRefused('usage: npm run restore -- <backup.tar.gz> [--keys <encryption-keys file>]');
  if (!existsSync(file)) throw new CommandRefused(`${file} does not exist.`);
  if (values.keys && !existsSync(values.keys)) throw new CommandRefused(`--keys ${values.keys} does not exist.`);
  if (hasEmbeddedDatabase(config)) {
    throw new CommandRefused(
      `${pgdataDir(config)} already holds a database. Restore into an empty TOKENTRACE_DATA_DIR, or move that folder away first (keep it until the restore is checked).`,
    );
  }
  await mkdir(config.dataDir, { recursive: true, mode: 0o700 });
  if (values.keys) installKeyFile(config, resolve(values.keys));

  const started = Date.now();
  await loadDump(config, resolve(file));
  console.log(`restore: loaded ${file} into ${pgdataDir(config)} in ${((Date.now() - started) / 1000).toFixed(1)} s`);

  if (!config.encryptionKeys && !existsSync(keyFilePath(config))) {
    console.error(
      `restore: WARNING no key ring: put the backed-up key file at ${keyFilePath(config)} (or pass --keys), or set ` +
        'TOKENTRACE_ENCRYPTION_KEYS, BEFORE the first start. Otherwise the server makes a new key and the restored span content stays unreadable.',
    );
    process.exitCode = 3;
    return;
  }
  const check = await checkContent(config);
  console.log(
    `restore: ${check.projects} projects, ${check.spans} spans; ` +
      (check.pending.length ? `${check.pending.length} migrations pending (npm start applies them)` : 'schema up to date'),
  );
  if (check.unreadable > 0) {
    console.error(
      `restore: ${check.unreadable} of ${check.checked} sampled content values cannot be read with the key ring from ${describeKeySource(config)}: ` +
        'use the key that was in use when the backup was made.',
    );
    process.exitCode = 4;
    return;
  }
  if (check.checked === 0) console.log('restore: no span content stored yet, so there was nothing to read back.');
  else console.log(`restore: ${check.checked} sampled content values read back with the key ring from ${describeKeySource(config)}.`);
}
