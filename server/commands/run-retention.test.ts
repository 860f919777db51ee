import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { generateKey } from '../../plugins/encryption/key-ring';
import { createTestApp, INGEST, span } from '../testing/test-app';

// `npm run retention:run` as an operator runs it: against a stopped embedded database (a
// running server holds PGlite's only connection), printing what it removed.

const run = promisify(execFile);
const ROOT = join(import.meta.dirname, '..', '..');

describe('npm run retention:run', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tokentrace-retention-cli-'));
  const env = { TOKENTRACE_DATA_DIR: dir, DATABASE_URL: '', TOKENTRACE_ENCRYPTION_KEYS: `k1:${generateKey()}` };
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('applies retention once and says what it removed', async () => {
    const setup = await createTestApp(env);
    const p = await setup.projectWithKey();
    const old = new Date(Date.now() - 50 * 86_400_000).toISOString();
    await p.owner.gql('mutation($p: ID!) { updateProjectSettings(projectId: $p, input: { retention: { traceDays: 30 } }) { id } }', { p: p.projectId });
    const res = await p.ingest.gql(INGEST, { spans: [span({ id: 'a', traceId: 'gone', startTime: old, endTime: null }), span({ id: 'b', traceId: 'kept', startTime: new Date().toISOString(), endTime: null })] });
    expect(res.data.ingest.rejected).toEqual([]);
    await setup.close();

    const { stdout } = await run(join(ROOT, 'node_modules', '.bin', 'tsx'), ['server/cli.ts', 'retention:run'], {
      cwd: ROOT,
      env: { ...process.env, ...env, NODE_ENV: 'test', LOG_LEVEL: 'silent', TOKENTRACE_CONFIG: '' },
    });
    expect(stdout).toContain(`project ${p.projectId} (content kept forever, traces 30 days): 1 traces and 1 spans deleted`);
    expect(stdout).toMatch(/retention:run: 1 projects with retention, done in/);

    const after = await createTestApp(env);
    try {
      const traces = await after.app.deps.db.selectFrom('traces').select('id').where('project_id', '=', p.projectId).execute();
      expect(traces.map((t) => t.id)).toEqual(['kept']);
    } finally {
      await after.close();
    }
  }, 90_000);
});
