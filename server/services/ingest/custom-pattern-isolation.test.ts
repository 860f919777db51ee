import { readFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, INGEST, span, type TestApp } from '../../testing/test-app';

// Issue 10, defect 1: a saved custom pattern must never stall the server. Patterns run on RE2 in a
// worker thread that is stopped at the request's redaction deadline; meanwhile another tenant's
// requests keep answering. (This test measures a concurrent request's latency because that is the
// isolation it asserts; speed itself is measured by bench/custom-patterns.ts.)

const SETTINGS = `mutation($p: ID!, $input: ProjectSettingsInput!) { updateProjectSettings(projectId: $p, input: $input) { id } }`;
const MB = 1024 * 1024;

let t: TestApp;
beforeAll(async () => {
  // A 1.5 s request budget keeps the test short; the default is 2 s.
  t = await createTestApp({ TOKENTRACE_REDACTION_BATCH_BUDGET_MS: '1500', TOKENTRACE_MAX_BODY_BYTES: String(8 * MB) });
  // Steady state, not the first 1 MB request of the process (JIT, heap growth): one unmeasured
  // 1 MB ingest through a harmless pattern first, which also starts the worker.
  const { owner, projectId, ingest } = await t.projectWithKey();
  await owner.gql(SETTINGS, { p: projectId, input: { customPatterns: [{ name: 'warm', pattern: 'CUST-[0-9]{6}' }] } });
  await ingest.gql(INGEST, { spans: [span({ input: '1'.repeat(MB) })] });
});
afterAll(() => t.close());

/** Runs `work` while another tenant asks for its projects every 10 ms; returns the slowest answer (ms). */
async function slowestOtherTenantAnswer(work: () => Promise<unknown>): Promise<{ slowest: number; answers: number }> {
  const other = await t.signUp('Other tenant');
  await other.client.gql('mutation { createProject(input: { name: "other" }) { id } }');
  let running = true;
  let slowest = 0;
  let answers = 0;
  const poll = (async () => {
    while (running) {
      const started = performance.now();
      const res = await other.client.gql('{ projects { id name } }');
      expect(res.errors).toBeUndefined();
      slowest = Math.max(slowest, performance.now() - started);
      answers++;
      await new Promise((r) => setTimeout(r, 10));
    }
  })();
  try {
    await work();
  } finally {
    running = false;
    await poll;
  }
  return { slowest, answers };
}

/** CPU seconds of this process's main thread alone (Linux: /proc/self/task/<pid>/stat, in ticks of 10 ms). */
function mainThreadCpuMs(): number {
  const fields = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10; // utime + stime
}

/**
 * During `attack`:
 * - the main thread spends well under half the attack's time on the CPU: the matching runs on the
 *   worker (on the event loop it would take the whole 1.5 s budget, and the defect took 7–11 s);
 * - the event loop never stalls for 100 ms, and the other tenant keeps being answered, each answer
 *   within 100 ms. On a host so overloaded (load per core over 1.5 — two cores shared by many
 *   processes) that the scheduler alone parks threads for longer, these two wall-clock bounds are
 *   1 s instead; the CPU-time check above does not depend on the host.
 */
async function expectIsolation(attack: () => Promise<unknown>): Promise<void> {
  const loop = monitorEventLoopDelay({ resolution: 5 });
  loop.enable();
  const cpuBefore = mainThreadCpuMs();
  const started = performance.now();
  const during = await slowestOtherTenantAnswer(attack);
  const elapsed = performance.now() - started;
  const mainCpu = mainThreadCpuMs() - cpuBefore;
  loop.disable();
  const busyHost = loadavg()[0]! / availableParallelism() > 1.5;
  const wallBound = busyHost ? 1000 : 100;
  const note = `host load ${loadavg()[0]!.toFixed(1)}; main-thread CPU ${mainCpu} ms of ${elapsed.toFixed(0)} ms`;
  expect(mainCpu, note).toBeLessThan(Math.max(200, elapsed / 2));
  expect(loop.max / 1e6, `longest event-loop stall (ms); ${note}`).toBeLessThan(wallBound);
  expect(during.answers).toBeGreaterThan(0);
  expect(during.slowest, `slowest other-tenant answer (ms); ${note}`).toBeLessThan(wallBound);
}

describe('custom patterns cannot stall the server', () => {
  it('refuses the issue’s pattern at save time with BAD_USER_INPUT, naming RE2', async () => {
    const { owner, projectId } = await t.projectWithKey();
    for (const pattern of [String.raw`\d{1,50000}X`, String.raw`(a)\1`, 'a(?=b)']) {
      const res = await owner.gql(SETTINGS, { p: projectId, input: { customPatterns: [{ name: 'slow', pattern }] } });
      expect(res.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
      expect(res.errors?.[0]?.message).toMatch(/Custom pattern "slow": RE2 cannot compile it/);
    }
  });

  it('a pattern stored before this check (\\d{1,50000}X) rejects the span at once, with 1 MB of input', async () => {
    const { projectId, ingest } = await t.projectWithKey();
    await sql`update projects set settings = jsonb_set(settings, '{customPatterns}', ${JSON.stringify([{ name: 'slow', pattern: String.raw`\d{1,50000}X` }])}::jsonb)
              where id = ${projectId}`.execute(t.app.deps.db);
    await expectIsolation(async () => {
      const res = await ingest.gql(INGEST, { spans: [span({ input: '1'.repeat(MB) })] });
      expect(res.data.ingest).toEqual({ accepted: 0, rejected: [{ index: 0, id: expect.any(String), reason: expect.stringMatching(/Pattern for "slow".*invalid repeat count/) }] });
    });
  });

  // Accepted by RE2 (linear time), yet seconds to tens of seconds over 1 MB of matching input.
  const worse: [string, string][] = [
    [String.raw`\d{1,1000}X`, '1'.repeat(MB - 1) + 'X'],
    [String.raw`[^X]{1,1000}X`, ('y'.repeat(2000) + 'X').repeat(MB / 2001)],
    ['(.*a){20}', 'a'.repeat(MB)],
  ];
  for (const [pattern, input] of worse) {
    it(`${pattern} over 1 MB: the span is rejected at the deadline while another tenant keeps answering within 100 ms`, async () => {
      const { owner, projectId, ingest } = await t.projectWithKey();
      const saved = await owner.gql(SETTINGS, { p: projectId, input: { customPatterns: [{ name: 'slow', pattern }] } });
      expect(saved.errors).toBeUndefined();
      await expectIsolation(async () => {
        const started = performance.now();
        const res = await ingest.gql(INGEST, { spans: [span({ input })] });
        expect(res.data.ingest.accepted).toBe(0);
        expect(res.data.ingest.rejected[0].reason).toMatch(/took longer than .* budget/);
        // The 1.5 s budget plus a fresh worker's start (the last test terminated it): seconds, not the
        // minutes the pattern would take; an overloaded host stretches both.
        expect(performance.now() - started).toBeLessThan(loadavg()[0]! / availableParallelism() > 1.5 ? 60_000 : 10_000);
      });
    });
  }

  it('the worker comes back after a hard stop: the next batch of the same project is redacted', async () => {
    const { owner, projectId, ingest } = await t.projectWithKey();
    await owner.gql(SETTINGS, { p: projectId, input: { customPatterns: [{ name: 'slow', pattern: String.raw`\d{1,1000}X` }] } });
    await ingest.gql(INGEST, { spans: [span({ input: '1'.repeat(MB - 1) + 'X' })] });
    const res = await ingest.gql(INGEST, { spans: [span({ input: 'order 12345X shipped' })] });
    expect(res.data.ingest).toEqual({ accepted: 1, rejected: [] });
  });
});

describe('custom patterns come through the plugin contract', () => {
  it('without a plugin that runs them, none can be saved, and spans of a project that has some are rejected', async () => {
    const bare = await createTestApp({}, { plugins: [] });
    try {
      const { owner, projectId, ingest } = await bare.projectWithKey();
      const res = await owner.gql(SETTINGS, { p: projectId, input: { customPatterns: [{ name: 'cust', pattern: 'CUST-\\d+' }] } });
      expect(res.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
      expect(res.errors?.[0]?.message).toMatch(/No loaded plugin runs custom patterns/);
      await sql`update projects set settings = jsonb_set(settings, '{customPatterns}', ${JSON.stringify([{ name: 'cust', pattern: 'CUST-\\d+' }])}::jsonb)
                where id = ${projectId}`.execute(bare.app.deps.db);
      const ingested = await ingest.gql(INGEST, { spans: [span({ input: 'CUST-1234' })] });
      expect(ingested.data.ingest).toEqual({ accepted: 0, rejected: [{ index: 0, id: expect.any(String), reason: expect.stringMatching(/no loaded plugin runs custom patterns/) }] });
    } finally {
      await bare.close();
    }
  });

  it('a third-party engine without a worker module runs in process, and two engines refuse to start', async () => {
    const upper = {
      syntax: 'literal',
      check: (p: string) => (p.length > 0 ? undefined : 'empty'),
      compile: ({ name, pattern }: { name: string; pattern: string }) => ({
        name,
        redact: (text: string) => ({ text: text.split(pattern).join(`[REDACTED:${name}]`), hits: text.split(pattern).length - 1 }),
      }),
    };
    const app = await createTestApp({}, { plugins: [{ name: 'literal-patterns', customPatterns: upper }] });
    try {
      const { owner, projectId, ingest } = await app.projectWithKey();
      expect((await owner.gql(SETTINGS, { p: projectId, input: { customPatterns: [{ name: 'code', pattern: 'BLUEBIRD' }] } })).errors).toBeUndefined();
      expect((await ingest.gql(INGEST, { spans: [span({ traceId: 't-lit', input: 'ask BLUEBIRD' })] })).data.ingest.accepted).toBe(1);
      const stored = await owner.gql(`query($p: ID!) { project(id: $p) { trace(id: "t-lit") { spans { input redactions { rule count } } } } }`, { p: projectId });
      expect(stored.data.project.trace.spans[0]).toEqual({ input: 'ask [REDACTED:code]', redactions: [{ rule: 'code', count: 1 }] });
    } finally {
      await app.close();
    }
    await expect(createTestApp({}, { plugins: [{ name: 'a', customPatterns: upper }, { name: 'b', customPatterns: upper }] })).rejects.toThrow(/both set customPatterns/);
  });
});
