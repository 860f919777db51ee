import { readFileSync } from 'node:fs';
import { join } from 'node:path';

// The Node.js flags of package.json's `start` script (`node <flags> scripts/start.mjs start`), so
// that bench/start.ts's --direct and --sources runs start Node exactly as `npm start` does: a flag
// added there (V8's, which NODE_OPTIONS refuses) is timed in every mode without being copied here.

/** The flags between `node` and the script in a start command; throws on any other shape. */
export function nodeFlagsOf(command: string): string[] {
  const words = command.trim().split(/\s+/);
  const script = words.findIndex((word, i) => i > 0 && !word.startsWith('-'));
  // Only `--name` or `--name=value`: a flag whose value is the next word would be read as the script.
  if (words[0] !== 'node' || script < 0 || words[script] !== 'scripts/start.mjs') {
    throw new Error(`the start script is not "node [--flag[=value] …] scripts/start.mjs …": ${command}`);
  }
  return words.slice(1, script);
}

/** The Node.js flags `npm start` runs with, read from `<root>/package.json`. */
export function startScriptNodeFlags(root: string): string[] {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts?: Record<string, string> };
  const start = pkg.scripts?.start;
  if (!start) throw new Error('package.json has no start script');
  return nodeFlagsOf(start);
}
