// @ts-check
// The server as one prebuilt file, for `npm start` (scripts/start.mjs): loading server/cli.ts
// through tsx means resolving, reading and evaluating ~1,700 modules on every start (≈ 1.4 s of
// a second start on a 2-core machine); one esbuild bundle of the same code loads in a fraction
// of that. The bundle is rebuilt only when one of its inputs changed since it was built (first
// start, a `git pull`, an edited source file, an `npm ci`): nothing is built when nothing changed.
//
// Plain JavaScript on purpose: the launcher must not need tsx to decide that nothing is to do.
//
// What a bundle changes, and how this file keeps it invisible to the code:
// - `import.meta.url` (and `__dirname`/`__filename` in bundled CommonJS packages) would be the
//   bundle's own address; every module's is rewritten to the address of its original file, so
//   paths computed from it (migrations, client/dist, the OTLP .proto files, the custom-pattern
//   worker, package.json) still point where they did.
// - Packages that load files beside themselves at run time or are not JavaScript stay outside
//   the bundle (EXTERNAL): PGlite (its .wasm and data files), bcrypt (native), Vite and tsx (only
//   loaded when needed), GraphiQL's 9 MB of assets (only for the GraphiQL page), ioredis (only with
//   REDIS_URL).

import { existsSync, readFileSync, renameSync, rmSync, statSync, writeFileSync, mkdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Bumped when the recipe changes in a way its own mtime would not show (it always does). */
const STAMP_VERSION = 2;

export const ROOT = fileURLToPath(new URL('..', import.meta.url));

const EXTERNAL = [
  '@electric-sql/pglite',
  'bcrypt',
  'vite',
  'tsx',
  '@graphql-yoga/render-graphiql',
  'ioredis',
];

/** Files whose change rebuilds the bundle besides the inputs esbuild reports. */
const RECIPE = ['scripts/server-bundle.mjs', 'tsconfig.json', 'package.json', 'node_modules/.package-lock.json'];

/**
 * The server's bundle (server/cli.ts) and its preamble's (server/cli-preamble.ts: .env and the
 * start's warm-up), which the launcher imports first so that the warm-up begins before the
 * server's 5 MB are parsed. Each is bundled whole: the server's bundle has its own copy of the
 * preamble's modules, and keeps the order in which its modules are evaluated (esbuild's code
 * splitting would move shared modules into a chunk evaluated first, .env's loader among them).
 * @param {string} [root]
 * @returns {{ dir: string; bundle: string; preamble: string; stamp: string }}
 */
export function bundlePaths(root = ROOT) {
  const dir = join(root, 'dist', 'server');
  return { dir, bundle: join(dir, 'cli.mjs'), preamble: join(dir, 'cli-preamble.mjs'), stamp: join(dir, 'stamp.json') };
}

/** @param {string} file @returns {[number, number] | null} */
function fileStamp(file) {
  try {
    const info = statSync(file);
    // Whole milliseconds: what a copy, an archive or utimes() with a Date can reproduce.
    return [Math.trunc(info.mtimeMs), info.size];
  } catch {
    return null;
  }
}

/**
 * Whole-millisecond mtimes, one apart at most: utimes() with a Date (what a test or a tool that
 * restores an mtime does) passes seconds as a float, and the file may get x.999 ms for x, which
 * truncates one below what was recorded. An edit within a millisecond of the build that keeps the
 * size is the only change this misses.
 * @param {number} a @param {number} b
 */
function sameMtime(a, b) {
  return Math.abs(a - b) <= 1;
}

/**
 * Why the bundle must be (re)built, or null when it is current: every input's path, mtime and
 * size as recorded when it was built. Costs one stat per project source file (a few ms).
 * @param {string} [root]
 * @returns {string | null}
 */
export function bundleStaleReason(root = ROOT) {
  const paths = bundlePaths(root);
  if (!existsSync(paths.bundle) || !existsSync(paths.preamble)) return 'no server bundle yet';
  /** @type {{ version?: number; node?: string; files?: Record<string, [number, number] | null> }} */
  let stamp;
  try {
    stamp = JSON.parse(readFileSync(paths.stamp, 'utf8'));
  } catch {
    return 'the server bundle has no stamp';
  }
  if (stamp.version !== STAMP_VERSION || !stamp.files) return 'the server bundle was made by another recipe';
  if (stamp.node !== process.versions.node) return 'Node.js changed since the server bundle was built';
  for (const [file, recorded] of Object.entries(stamp.files)) {
    const now = fileStamp(join(root, file));
    if (now === null ? recorded !== null : recorded === null || !sameMtime(now[0], recorded[0]) || now[1] !== recorded[1]) {
      return `${file} changed since the server bundle was built`;
    }
  }
  return null;
}

/**
 * `import.meta.url`, `import.meta.dirname`/`filename`, and CommonJS's `__dirname`/`__filename`,
 * as the original file's, computed from the bundle's own address (so the checkout may move).
 * @param {string} outDir
 * @returns {import('esbuild').Plugin}
 */
function originalAddresses(outDir) {
  return {
    name: 'tokentrace-original-addresses',
    setup(build) {
      build.onLoad({ filter: /\.(m|c)?(t|j)sx?$/ }, async (args) => {
        const text = await readFile(args.path, 'utf8');
        const hasMeta = text.includes('import.meta');
        // A module that declares its own (ESM code often does) keeps it.
        const hasDirname = /\b__(dirname|filename)\b/.test(text) && !/\b(const|let|var|function)\s+__(dirname|filename)\b/.test(text);
        const loader = /** @type {'ts' | 'tsx' | 'js' | 'jsx'} */ (/\.[cm]?tsx$/.test(args.path) ? 'tsx' : /\.[cm]?ts$/.test(args.path) ? 'ts' : /\.[cm]?jsx$/.test(args.path) ? 'jsx' : 'js');
        if (!hasMeta && !hasDirname) return { contents: text, loader };
        if (/import\.meta\.resolve\(\s*['"`]\./.test(text)) {
          throw new Error(`${relative(ROOT, args.path)}: import.meta.resolve of a relative path would resolve from the bundle; use new URL(…, import.meta.url)`);
        }
        const rel = relative(outDir, args.path).split(sep).join('/');
        // Through a constant of the banner: `import.meta` written into a CommonJS file would make
        // esbuild take it for an ES module.
        const url = `new URL(${JSON.stringify(rel)}, __ttBundleUrl).href`;
        let contents = text
          .replace(/\bimport\.meta\.url\b/g, url)
          .replace(/\bimport\.meta\.filename\b/g, `__ttFileURLToPath(${url})`)
          .replace(/\bimport\.meta\.dirname\b/g, `__ttDirname(__ttFileURLToPath(${url}))`);
        if (hasDirname) {
          // Only where the module reads them: a `var` inside a CommonJS wrapper stays its own.
          contents = `var __filename = __ttFileURLToPath(${url}), __dirname = __ttDirname(__filename);\n${contents}`;
        }
        return { contents, loader };
      });
    },
  };
}

/**
 * Builds dist/server/cli.mjs from server/cli.ts and dist/server/cli-preamble.mjs from
 * server/cli-preamble.ts, and records their inputs in dist/server/stamp.json. Written beside and
 * renamed into place (the preamble first), so a concurrent start reads either the old or the new files.
 * @param {string} [root]
 * @returns {Promise<{ ms: number; inputs: number }>}
 */
export async function buildServerBundle(root = ROOT) {
  const started = performance.now();
  const { build } = await import('esbuild');
  const paths = bundlePaths(root);
  mkdirSync(paths.dir, { recursive: true });
  const tmp = join(paths.dir, `.build-${process.pid}`);
  const startedAt = Date.now();
  try {
    const result = await build({
      absWorkingDir: root,
      entryPoints: { cli: join(root, 'server', 'cli.ts'), 'cli-preamble': join(root, 'server', 'cli-preamble.ts') },
      outdir: tmp,
      outExtension: { '.js': '.mjs' },
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: `node${process.versions.node.split('.')[0]}`,
      external: EXTERNAL.flatMap((name) => [name, `${name}/*`]),
      // Bundled CommonJS packages still `require` Node's modules and the external packages.
      banner: {
        js: [
          "import { createRequire as __ttCreateRequire } from 'node:module';",
          "import { fileURLToPath as __ttFileURLToPath } from 'node:url';",
          "import { dirname as __ttDirname } from 'node:path';",
          'const __ttBundleUrl = import.meta.url;',
          'const require = __ttCreateRequire(__ttBundleUrl);',
        ].join(' '),
      },
      plugins: [originalAddresses(paths.dir)],
      metafile: true,
      legalComments: 'none',
      logLevel: 'error',
    });
    /** @type {Record<string, [number, number] | null>} */
    const files = {};
    let changedDuringBuild = false;
    for (const input of [...Object.keys(result.metafile.inputs), ...RECIPE]) {
      // node_modules is covered by npm's own record of what it installed (RECIPE).
      if (input.includes('node_modules/') && !input.endsWith('.package-lock.json')) continue;
      const rel = relative(root, join(root, input)).split(sep).join('/');
      const stamp = fileStamp(join(root, rel));
      if (stamp && stamp[0] > startedAt) changedDuringBuild = true;
      files[rel] = stamp;
    }
    renameSync(join(tmp, 'cli-preamble.mjs'), paths.preamble);
    renameSync(join(tmp, 'cli.mjs'), paths.bundle);
    if (changedDuringBuild) {
      // A source changed while esbuild read it: no stamp, so the next start builds again.
      rmSync(paths.stamp, { force: true });
    } else {
      const stampTmp = `${paths.stamp}.${process.pid}.tmp`;
      writeFileSync(stampTmp, JSON.stringify({ version: STAMP_VERSION, node: process.versions.node, files }));
      renameSync(stampTmp, paths.stamp);
    }
    return { ms: Math.round(performance.now() - started), inputs: Object.keys(files).length };
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

