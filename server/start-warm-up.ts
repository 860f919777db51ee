import { embeddedDataDir, usesEmbeddedDatabase } from './config-early';
import { defaultEmbeddedThread, SERVER_PURPOSE } from './db/embedded-database';
import { openEmbeddedEarly, warmUpPglite } from './db/pglite-warm-up';

// Imported by server/cli.ts right after load-dotenv, for its side effect: `start` on the embedded
// database (no DATABASE_URL, here or in .env) begins opening it now, while the modules imported
// after this one are evaluated. A database in a folder is locked and opened in its worker thread,
// which createDb then adopts (server/db/pglite-worker-client.ts says why); `memory://` only gets
// PGlite's files loaded (server/db/pglite-warm-up.ts). Both settings are read by config-early.ts,
// whose functions config.ts's schema uses too (config-early.ts says why it imports nothing); a
// setting loadConfig refuses stops the start there, and the early database is closed.
if ((process.argv[2] ?? 'start') === 'start' && usesEmbeddedDatabase()) {
  const dataDir = embeddedDataDir();
  if (dataDir !== undefined) {
    if (defaultEmbeddedThread(dataDir) === 'worker') openEmbeddedEarly(dataDir, SERVER_PURPOSE);
    else warmUpPglite();
  }
}
