import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'dotenv';
import { describe, expect, it } from 'vitest';
import { CONFIG_VARIABLES, loadConfig } from './config';

// The variables the config schema reads, the README's table and .env.example name the same set:
// a variable added to one and not the others fails here, whichever way round.

const ROOT = new URL('..', import.meta.url);
const read = (file: string) => readFileSync(fileURLToPath(new URL(file, ROOT)), 'utf8');
const VARIABLE = /^[A-Z][A-Z0-9_]*$/;

/** The first cell of each row of the README's Configuration table: every `NAME` in it. */
function readmeVariables(): string[] {
  const readme = read('README.md');
  const section = readme.slice(readme.indexOf('\n## Configuration'));
  const table = section.slice(0, section.indexOf('\n## ', 5)).split('\n').filter((line) => line.startsWith('| `'));
  return table.flatMap((row) => [...row.split('|')[1]!.matchAll(/`([^`=]+)(=[^`]*)?`/g)].map((m) => m[1]!.trim())).filter((n) => VARIABLE.test(n));
}

function envExampleVariables(): string[] {
  return read('.env.example')
    .split('\n')
    .map((line) => /^#?\s*([A-Z][A-Z0-9_]*)=/.exec(line)?.[1])
    .filter((name): name is string => name !== undefined);
}

function difference(a: readonly string[], b: readonly string[]): string[] {
  return [...new Set(a)].filter((x) => !b.includes(x)).sort();
}

/** `process.env.NAME` reads in the server's own code (tests and test helpers aside). */
function directEnvReads(): string[] {
  const names: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) {
        if (entry.name !== 'testing' && entry.name !== 'node_modules') walk(path);
      } else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts')) {
        names.push(...[...readFileSync(path, 'utf8').matchAll(/process\.env\.([A-Z][A-Z0-9_]*)/g)].map((m) => m[1]!));
      }
    }
  };
  for (const dir of ['server', 'schema', 'plugins']) walk(fileURLToPath(new URL(dir, ROOT)));
  return names;
}

describe('configuration documentation', () => {
  it('the server reads the environment only through the config schema', () => {
    expect(directEnvReads()).toEqual([]);
  });

  it('the README table lists exactly the variables the config schema reads', () => {
    const documented = readmeVariables();
    expect({ missingFromReadme: difference(CONFIG_VARIABLES, documented), notReadByServer: difference(documented, CONFIG_VARIABLES) }).toEqual({
      missingFromReadme: [],
      notReadByServer: [],
    });
  });

  it('.env.example lists exactly the variables the config schema reads, each once', () => {
    const listed = envExampleVariables();
    expect({ missingFromEnvExample: difference(CONFIG_VARIABLES, listed), notReadByServer: difference(listed, CONFIG_VARIABLES) }).toEqual({
      missingFromEnvExample: [],
      notReadByServer: [],
    });
    expect(listed.length).toBe(new Set(listed).size);
  });

  it('.env.example, uncommented as it stands, is a valid configuration', () => {
    const uncommented = read('.env.example')
      .split('\n')
      .map((line) => line.replace(/^#\s*(?=[A-Z][A-Z0-9_]*=)/, '').replace(/\s+#.*$/, ''))
      .join('\n');
    const values = parse(uncommented);
    expect(Object.keys(values).sort()).toEqual([...CONFIG_VARIABLES].sort());
    expect(() => loadConfig(values)).not.toThrow();
  });
});
