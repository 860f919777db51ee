import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { printTokentraceSchema } from './index';

// schema/schema.graphql is the reviewed, committed contract: integrations and the dashboard
// are written against it, and a diff of it shows API changes in review. It must match what the
// code actually builds.

describe('committed schema', () => {
  it('matches the schema built from the code', async () => {
    const committed = await readFile(new URL('./schema.graphql', import.meta.url), 'utf8');
    const built = printTokentraceSchema();
    // Compare booleans first so the hint is the headline; the diff follows from the second check.
    expect(
      committed === built,
      'schema/schema.graphql is out of date with the code: run `npm run schema:print` and commit the result.',
    ).toBe(true);
    expect(committed).toBe(built);
  });
});
