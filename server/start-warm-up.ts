import { embeddedDataDir, usesEmbeddedDatabase } from './config';
import { defaultEmbeddedThread } from './db/embedded-database';
import { warmUpPglite } from './db/pglite-warm-up';

// Imported by server/cli.ts right after load-dotenv, for its side effect: `start` on the embedded
// database (no DATABASE_URL, here or in .env) begins loading PGlite's WebAssembly now, while the
// modules imported after this one are evaluated (server/db/pglite-warm-up.ts says why). Only for
// a database PGlite opens on this thread (`memory://`); one in a folder opens in its worker thread.
if ((process.argv[2] ?? 'start') === 'start' && usesEmbeddedDatabase()) {
  const dataDir = embeddedDataDir();
  if (dataDir !== undefined && defaultEmbeddedThread(dataDir) === 'main') warmUpPglite();
}
