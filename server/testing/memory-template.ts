import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDb } from '../db/create-db';
import { migrateToLatest } from '../db/migrate';

// The embedded test pass starts a new database for every test app (in memory, or in a fresh data
// folder), and initdb is most of that start: createTestApp took 4.5–8.6 s, 1.8–3.4 s from the
// dump. The global setup migrates one database and dumps it; test apps start from the dump.
// Migrations from an empty database stay tested by server/db/migrate.test.ts and the CLI tests,
// which start the server without the dump.

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
