import { usesEmbeddedDatabase } from './config';
import { warmUpPglite } from './db/pglite-warm-up';

// Imported by server/cli.ts right after load-dotenv, for its side effect: `start` on the embedded
// database (no DATABASE_URL, here or in .env) begins loading PGlite's WebAssembly now, while the
// modules imported after this one are evaluated (server/db/pglite-warm-up.ts says why).
if ((process.argv[2] ?? 'start') === 'start' && usesEmbeddedDatabase()) warmUpPglite();
