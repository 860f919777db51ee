import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDb } from '../db/create-db';
import { migrateToLatest } from '../db/migrate';

// The embedded test pass starts an in-memory database for every test app, and initdb is most of
// that start (about 5 s of 6 on the CI machine). The global setup migrates one database and dumps
// it; each test app then starts from the dump (about 1.3 s). Migrations themselves are still
// run from an empty database by the tests of server/db/migrate.test.ts and every start's check.

/** Migrates a fresh in-memory database and writes its data directory to a file; returns the file's path. */
export async function writeMemoryTemplate(): Promise<{ path: string; remove(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'tokentrace-test-template-'));
  const path = join(dir, 'pgdata.tar');
  const handle = await createDb({ dataDir: 'memory://' });
  try {
    await migrateToLatest(handle.db);
    const dump = await handle.dumpDataDir!();
    await writeFile(path, Buffer.from(await dump.arrayBuffer()));
  } finally {
    await handle.close();
  }
  return { path, remove: () => rm(dir, { recursive: true, force: true }) };
}

let loaded: { path: string; blob: Promise<Blob> } | undefined;

/** The dump as a Blob, read once per test file (worker) and shared by its test apps. */
export function readMemoryTemplate(path: string): Promise<Blob> {
  if (loaded?.path !== path) loaded = { path, blob: readFile(path).then((bytes) => new Blob([bytes])) };
  return loaded.blob;
}
