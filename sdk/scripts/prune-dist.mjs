// tsc emits every source file of the program, including the plugin contract that the shared
// redaction engine imports types from (and which itself names server-side packages). At run time
// the SDK needs only the dependency-free engine (plugins/core/redaction) and the PII rules
// (plugins/redaction/pii-rules.js and rules/), whose relative imports carry `.js` so Node loads
// them from the package. Keep those .js files: the package stays self-contained, and no
// declaration in it refers to a package a consumer does not have.
import { readdirSync, rmSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const dist = fileURLToPath(new URL('../dist', import.meta.url));
const keepDirs = [join('plugins', 'core', 'redaction'), join('plugins', 'redaction', 'rules')];
const keepFiles = new Set([join('plugins', 'redaction', 'pii-rules.js')]);
const kept = (path) => {
  const rel = relative(dist, path);
  if (!rel.endsWith('.js')) return false;
  return keepFiles.has(rel) || keepDirs.some((dir) => rel.startsWith(dir + sep) && !rel.slice(dir.length + 1).includes(sep));
};

function prune(dir) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) {
      prune(path);
      if (readdirSync(path).length === 0) rmSync(path, { recursive: true });
    } else if (!kept(path)) {
      rmSync(path);
    }
  }
}

prune(join(dist, 'plugins'));
