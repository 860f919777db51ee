import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateKey } from '../../plugins/encryption/key-ring';
import { createDb } from '../db/create-db';
import { INGEST, TestClient, createTestApp, span } from '../testing/test-app';

// The operator's commands on the embedded database, run as the operator runs them (the CLI in
// its own process): npm run backup, npm run restore, npm run migrate -- --dry-run, and a start
// refused on a database from a newer version. Always PGlite: these commands are for it.

/** Each CLI run opens the embedded database in a fresh process (a few seconds on a busy machine). */
const SLOW = 120_000;
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'tokentrace-backup-'));
const source = join(work, 'source');
const backupFile = join(work, 'backup.tar.gz');
const CONTENT = { messages: [{ role: 'user', content: 'the restored prompt' }] };
let projectId: string;
let ownerCookie: string;

interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

function cli(args: string[], dataDir: string, env: Record<string, string> = {}): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(
      join(ROOT, 'node_modules/.bin/tsx'),
      ['server/cli.ts', ...args],
      {
        cwd: ROOT,
        timeout: 60_000,
        env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', NODE_ENV: 'test', LOG_LEVEL: 'silent', TOKENTRACE_DATA_DIR: dataDir, DATABASE_URL: '', TOKENTRACE_ENCRYPTION_KEYS: '', TOKENTRACE_CONFIG: '', PORT: '0', ...env },
      },
      (error, stdout, stderr) => resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr }),
    );
  });
}

beforeAll(async () => {
  const t = await createTestApp({ TOKENTRACE_DATA_DIR: source, DATABASE_URL: '' });
  try {
    const p = await t.projectWithKey();
    projectId = p.projectId;
    ownerCookie = p.owner.cookie!;
    const res = await p.ingest.gql(INGEST, { spans: [span({ id: 'kept-span', traceId: 'kept-trace', input: CONTENT })] });
    expect(res.data.ingest.accepted).toBe(1);

    // While a server has the folder open, a backup must not touch it.
    const busy = await cli(['backup', '--out', join(work, 'never.tar.gz')], source);
    expect(busy.code).toBe(1);
    expect(busy.stderr).toMatch(/in use by process \d+.*Stop it first/s);
  } finally {
    await t.close();
  }
}, 120_000);

afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('npm run backup', () => {
  it('writes a gzipped dump readable by its owner only, and says to keep the key apart', async () => {
    const result = await cli(['backup', '--out', backupFile], source);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/wrote .*backup\.tar\.gz/);
    expect(result.stdout).toContain(join(source, 'encryption-keys'));
    expect(statSync(backupFile).mode & 0o777).toBe(0o600);
    expect(readFileSync(backupFile).subarray(0, 2)).toEqual(Buffer.from([0x1f, 0x8b])); // gzip
    expect(readFileSync(backupFile).toString('latin1')).not.toContain('the restored prompt');
  }, SLOW);

  it('refuses with DATABASE_URL set, pointing to pg_dump', async () => {
    const result = await cli(['backup'], source, { DATABASE_URL: 'postgres://nobody@127.0.0.1:1/x' });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/pg_dump/);
  }, SLOW);
});

describe('npm run restore', () => {
  it('restores into an empty data folder with the key file, reads the content back, and the app serves it', async () => {
    const target = join(work, 'restored');
    const result = await cli(['restore', backupFile, '--keys', join(source, 'encryption-keys')], target);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/1 projects?, 1 spans?/);
    expect(result.stdout).toMatch(/2 sampled content values read back/); // input and output

    const t = await createTestApp({ TOKENTRACE_DATA_DIR: target, DATABASE_URL: '' });
    try {
      // The owner's session came back with the database: the same cookie reads the same span.
      const restoredOwner = new TestClient(t.app);
      restoredOwner.cookie = ownerCookie;
      const res = await restoredOwner.gql('query($p: ID!) { project(id: $p) { traces(first: 5) { edges { node { id spans { id input } } } } } }', { p: projectId });
      expect(res.errors).toBeUndefined();
      expect(res.data.project.traces.edges.map((e: any) => e.node)).toEqual([{ id: 'kept-trace', spans: [{ id: 'kept-span', input: CONTENT }] }]);
    } finally {
      await t.close();
    }
  }, SLOW);

  it('never overwrites a database', async () => {
    const result = await cli(['restore', backupFile], source);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/already holds a database/);
  }, SLOW);

  it('warns (exit 3) when no key ring is in place, and says where the key goes', async () => {
    const target = join(work, 'no-key');
    const result = await cli(['restore', backupFile], target);
    expect(result.code).toBe(3);
    expect(result.stderr).toContain(join(target, 'encryption-keys'));
    expect(result.stderr).toMatch(/BEFORE the first start/);
  }, SLOW);

  it('fails (exit 4) when the key ring cannot read the restored content', async () => {
    const target = join(work, 'wrong-key');
    const result = await cli(['restore', backupFile], target, { TOKENTRACE_ENCRYPTION_KEYS: `other:${generateKey()}` });
    expect(result.code).toBe(4);
    expect(result.stderr).toMatch(/2 of 2 sampled content values cannot be read/);
  }, SLOW);
});

describe('npm run migrate -- --dry-run, and a database from a newer version', () => {
  it('lists every migration on a fresh folder and applies none; nothing once migrated', async () => {
    const fresh = join(work, 'fresh');
    const first = await cli(['migrate', '--dry-run'], fresh);
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/^\d+ pending migrations \(not applied\):/);
    expect(first.stdout).toContain('20261129000000_initial_schema');
    expect((await cli(['migrate'], fresh)).stdout).toMatch(/^applied: 20261129000000_initial_schema/);
    expect((await cli(['migrate', '--dry-run'], fresh)).stdout).toMatch(/up to date: no pending migrations/);
  }, SLOW);

  it('start refuses, naming the unknown migration; nothing is changed', async () => {
    const db = await createDb({ dataDir: source });
    await db.db.insertInto('kysely_migration' as never).values({ name: '29991231000000_newer', timestamp: new Date().toISOString() } as never).execute();
    await db.close();
    const start = await cli(['start'], source);
    expect(start.code).toBe(1);
    expect(start.stderr).toMatch(/migrated by a newer version of tokentrace.*29991231000000_newer.*docs\/upgrade\.md/s);
    const dry = await cli(['migrate', '--dry-run'], source);
    expect(dry.code).toBe(1);
    expect(dry.stderr).toMatch(/29991231000000_newer/);
  }, SLOW);
});
