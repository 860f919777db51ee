import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '../config';
import { lockDataDir } from '../db/data-dir-lock';
import { CommandRefused, describeKeySource, hasEmbeddedDatabase, pgdataDir, requireEmbedded } from './embedded-data';

// `npm run backup -- [--out FILE]`: the embedded database (PGlite) as one gzipped tar of its data
// folder, made by PGlite itself (dumpDataDir) while nothing else has the folder open. Span content
// inside it stays encrypted; the key ring is NOT in the file and must be kept apart from it: a
// stolen backup then reveals no prompts or completions, and a backup without its key restores
// metadata only.

function defaultName(now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  return `tokentrace-backup-${stamp}.tar.gz`;
}

export async function backupCommand(args = process.argv.slice(3)): Promise<void> {
  const { values } = parseArgs({ args, options: { out: { type: 'string' } }, strict: true });
  const config = loadConfig();
  requireEmbedded(config, 'backup');
  if (!hasEmbeddedDatabase(config)) throw new CommandRefused(`no embedded database in ${pgdataDir(config)}: check TOKENTRACE_DATA_DIR.`);
  const out = resolve(values.out ?? defaultName());

  const started = Date.now();
  const unlock = lockDataDir(config.dataDir, 'npm run backup');
  try {
    const { PGlite } = await import('@electric-sql/pglite');
    const pglite = await PGlite.create(pgdataDir(config));
    try {
      const dump = await pglite.dumpDataDir('gzip');
      // Names, e-mail addresses and password hashes are not encrypted: owner-only, like the data folder.
      await writeFile(out, new Uint8Array(await dump.arrayBuffer()), { mode: 0o600, flag: 'wx' });
      console.log(`backup: wrote ${out} (${(dump.size / 1024 / 1024).toFixed(1)} MB) in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    } finally {
      await pglite.close();
    }
  } finally {
    unlock();
  }
  console.log(
    `backup: span content in it is encrypted with the key ring from ${describeKeySource(config)}. ` +
      'Keep a copy of that key apart from the backup: without it the content cannot be read after a restore.',
  );
}
