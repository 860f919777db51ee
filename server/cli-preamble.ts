// What every run of the CLI evaluates before anything else: server/cli.ts imports it first.
// `npm start` goes one step further: its launcher (scripts/start.mjs) imports this module's own
// bundle, dist/server/cli-preamble.mjs, before the server's (dist/server/cli.mjs). Node reads,
// decodes and parses a module file whole before evaluating any of it, and the server's bundle is
// ≈ 5 MB (≈ 0.2–0.3 s on a 2-core machine): from the small bundle, the embedded database's worker
// thread starts opening during that parse instead of after it. The server's bundle evaluates its
// own copy of these modules too; the warm-up keeps its state on globalThis, so the second copy
// finds what the first started (server/db/pglite-warm-up.ts).

// First: .env before any library reads the environment (load-dotenv.ts says why).
import './load-dotenv';
// Second: the start's warm-up, which begins opening the embedded database (start-warm-up.ts).
import './start-warm-up';
