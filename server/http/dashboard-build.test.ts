import { mkdir, mkdtemp, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dashboardBuildReason } from './dashboard-build';

// When `npm start` builds the dashboard first: no build yet, or sources newer than the build.

describe('dashboardBuildReason', () => {
  let client: string;
  beforeAll(async () => {
    client = await mkdtemp(join(tmpdir(), 'tt-client-'));
    await mkdir(join(client, 'src', 'lib', 'generated'), { recursive: true });
    await writeFile(join(client, 'src', 'main.ts'), '');
    await writeFile(join(client, 'index.html'), '');
    await writeFile(join(client, 'vite.config.ts'), '');
  });
  afterAll(() => rm(client, { recursive: true, force: true }));

  const at = (path: string, seconds: number) => utimes(path, seconds, seconds);

  it('asks for a build when there is none, or when a source is newer, and not otherwise', async () => {
    expect(dashboardBuildReason(client)).toMatch(/missing/);
    await mkdir(join(client, 'dist'));
    await writeFile(join(client, 'dist', 'index.html'), '');
    for (const f of ['src/main.ts', 'index.html', 'vite.config.ts']) await at(join(client, f), 1_000);
    await at(join(client, 'src'), 1_000);
    await at(join(client, 'dist', 'index.html'), 2_000);
    expect(dashboardBuildReason(client)).toBeNull();
    await at(join(client, 'src', 'main.ts'), 3_000);
    expect(dashboardBuildReason(client)).toMatch(/changed/);
  });
});
