import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { generateClientFiles, REPO_ROOT } from '../../build/codegen';

// client/src/lib/generated/ is committed: it must match what codegen makes from the printed
// schema and the documents in client/src today.

describe('generated client documents', () => {
  it('are up to date with schema/schema.graphql and the documents in client/src', { timeout: 120_000 }, async () => {
    const files = await generateClientFiles();
    expect(files.size).toBeGreaterThan(0);
    for (const [file, content] of files) {
      const onDisk = await readFile(join(REPO_ROOT, file), 'utf8').catch(() => '(missing)');
      expect(onDisk === content, `${file} is stale: run \`npm run codegen\` (or \`tsx client/build/codegen.ts\`)`).toBe(true);
    }
  });
});
