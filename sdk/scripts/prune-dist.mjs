// tsc emits every source file of the program, including the plugin contract that
// pii-rules.ts imports types from (and which itself names server-side packages). At run time
// pii-rules.js imports nothing, so keep only it: the package stays self-contained, and no
// declaration in it refers to a package a consumer does not have.
import { readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const dist = fileURLToPath(new URL('../dist', import.meta.url));
const keep = new Set([join(dist, 'plugins', 'redaction', 'pii-rules.js')]);

function prune(dir) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) {
      prune(path);
      if (readdirSync(path).length === 0) rmSync(path, { recursive: true });
    } else if (!keep.has(path)) {
      rmSync(path);
    }
  }
}

prune(join(dist, 'plugins'));
