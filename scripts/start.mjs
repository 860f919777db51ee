// @ts-check
// `npm start`: runs the server from its prebuilt bundle (dist/server/cli.mjs, see
// scripts/server-bundle.mjs), building it first only when a source changed since the last build.
// A second start therefore loads one file instead of compiling and resolving the TypeScript
// sources through tsx. `node --import tsx server/cli.ts start` still works and does the same.
//
// The sources run through tsx instead (as before) when a config file is to be loaded
// (tokentrace.config.ts or TOKENTRACE_CONFIG): it is TypeScript or imports TypeScript, namely the
// plugins from their sources, and a second copy of plugins/core beside the bundle's would break
// `instanceof` between the two (a CodecError thrown by the config's encryption plugin would not be
// the server's CodecError). Also when the bundle cannot be built (the error is printed; the start
// goes on).

import cluster from 'node:cluster';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { existsSync, readFileSync } from 'node:fs';
import { bundlePaths, bundleStaleReason, buildServerBundle } from './server-bundle.mjs';

// TOKENTRACE_CONFIG may come from .env: read it here only when .env names it (dotenv costs ~30 ms
// to load); server/load-dotenv.ts reads .env again either way, changing nothing already set.
if (existsSync('.env') && /TOKENTRACE_CONFIG/.test(readFileSync('.env', 'utf8'))) {
  const { config: loadDotenv } = await import('dotenv');
  loadDotenv({ quiet: true });
}

/** Whether the server will load a config file (server/plugins/load-plugins.ts resolves it alike). */
function hasConfigFile() {
  return existsSync(resolve(process.env.TOKENTRACE_CONFIG?.trim() || 'tokentrace.config.ts'));
}

async function runSources() {
  // @ts-ignore: tsx's loader entry point declares no types; importing it registers its hooks.
  await import('tsx');
  // @ts-ignore: a TypeScript module, loaded through the tsx hooks registered just above.
  await import('../server/cli.ts');
}

async function main() {
  if (hasConfigFile()) return runSources();
  const { bundle, preamble } = bundlePaths();
  const reason = bundleStaleReason();
  if (reason) {
    // A cluster's workers run the bundle their primary checked (setupPrimary below): only a
    // primary or a single process ever builds.
    console.log(`tokentrace: building the server (${reason})…`);
    try {
      const built = await buildServerBundle();
      if (process.env.LOG_LEVEL === 'debug') console.log(`tokentrace: server built in ${built.ms} ms (${built.inputs} inputs)`);
    } catch (err) {
      console.error(`tokentrace: the server bundle could not be built, starting from the sources: ${err instanceof Error ? err.message : String(err)}`);
      return runSources();
    }
  }
  // On Postgres the server forks one worker per core (server/cluster/primary.ts); they run the
  // bundle directly, with this process's arguments, instead of this launcher.
  if (cluster.isPrimary) cluster.setupPrimary({ exec: bundle });
  // The preamble's own small bundle first: .env, then the start's warm-up, which begins opening the
  // embedded database while Node parses the server's bundle (server/cli-preamble.ts).
  await import(pathToFileURL(preamble).href);
  await import(pathToFileURL(bundle).href);
}

await main();
