import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHttpServer } from '../../server/http/server';
import { createTestApp, type TestApp } from '../../server/testing/test-app';
import { forward, startHttpStub, type HttpStub } from './helpers/http-stub.js';
import { startOpenAIStub } from './helpers/openai-stub.js';
import { installPackedSdk, run, runNode, ROOT, type PackedApp } from './helpers/packed-sdk.js';

// "Done when": an app that has ONLY the packed SDK (no server, no openai, no tsx) sends traces
// to a real server, and they show up in project.traces with parents, tokens, cost and errors;
// through an outage nothing is lost and nothing is stored twice.

let testApp: TestApp;
let server: Server;
let endpoint: string;
/** The server's address alone: the SDK adds /graphql. */
let baseUrl: string;
let packed: PackedApp;

beforeAll(async () => {
  [testApp, packed] = await Promise.all([createTestApp(), installPackedSdk()]);
  server = createHttpServer(testApp.app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  endpoint = `${baseUrl}/graphql`;
}, 180_000);

afterAll(async () => {
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve));
  await testApp?.close();
});

const TRACES = `query($p: ID!) { project(id: $p) { traces(first: 10) { edges { node {
  id name userId tags totalTokens errorCount
  spans { id parentId kind name status statusMessage promptTokens completionTokens totalTokens costUsd input completionStartTime }
} } } } }`;

async function traces(owner: Awaited<ReturnType<TestApp['projectWithKey']>>['owner'], projectId: string) {
  const res = await owner.gql(TRACES, { p: projectId });
  expect(res.errors).toBeUndefined();
  return res.data.project.traces.edges.map((e: any) => e.node) as any[];
}

describe('the packed package', () => {
  it('contains the built SDK and the bundled PII rules, and no dependencies', async () => {
    const manifest = JSON.parse(await readFile(join(packed.dir, 'node_modules/@tokentrace/sdk/package.json'), 'utf8'));
    expect(manifest.dependencies).toBeUndefined();
    expect(await readdir(join(packed.dir, 'node_modules'))).toEqual(['.package-lock.json', '@tokentrace']);
    const rules = await readFile(join(packed.dir, 'node_modules/@tokentrace/sdk/dist/plugins/redaction/pii-rules.js'), 'utf8');
    expect(rules).toContain('export const piiRedactors');
    // At run time the rules and the shared engine import only each other, by relative `.js` paths.
    const imports = [...rules.matchAll(/^import .* from '([^']+)';$/gm)].map((m) => m[1]);
    expect(imports.length).toBeGreaterThan(0);
    for (const path of imports) expect(path).toMatch(/^\.\.?\/.*\.js$/);
    const engine = await readFile(join(packed.dir, 'node_modules/@tokentrace/sdk/dist/plugins/core/redaction/walk-json.js'), 'utf8');
    expect(engine).toContain('class JsonWalk');
  });

  it('type-checks in a consumer that has nothing else installed (strict, no skipLibCheck, no Node or DOM types)', async () => {
    await writeFile(
      join(packed.dir, 'consumer.ts'),
      `import { Tokentrace, observeOpenAI, TokentraceError, type SpanHandle, type TokentraceOptions } from '@tokentrace/sdk';
const options: TokentraceOptions = { apiKey: 'k', endpoint: 'https://x.test/graphql', piiRedaction: true, onError: (e: TokentraceError) => void e.code };
const tt = new Tokentrace(options);
const n: Promise<number> = tt.trace({ name: 't', tags: ['a'] }, async (trace: SpanHandle) =>
  trace.generation({ name: 'g', model: 'm' }, (gen) => { gen.end({ output: 'x', usage: { promptTokens: 1, completionTokens: 2 } }); return 1; }));
const client = observeOpenAI({ chat: { completions: { create: () => 1 } } }, { tokentrace: tt });
void n; void client; void tt.flush(); void tt.shutdown({ timeoutMs: 1 });
`,
    );
    await writeFile(
      join(packed.dir, 'tsconfig.json'),
      JSON.stringify({ compilerOptions: { strict: true, noEmit: true, target: 'ES2022', lib: ['ES2022'], module: 'NodeNext', moduleResolution: 'NodeNext', types: [], skipLibCheck: false }, files: ['consumer.ts'] }),
    );
    const tsc = join(ROOT, 'node_modules/.bin/tsc');
    const result = await run(tsc, ['-p', 'tsconfig.json'], { cwd: packed.dir }).catch((e: { stdout: string }) => e);
    expect(result.stdout).toBe('');
  });
});

describe('publishing', () => {
  it('passes npm publish --dry-run with the built files, the README and the repository licence', async () => {
    const { stdout } = await run('npm', ['publish', '--dry-run', '--json'], { cwd: join(ROOT, 'sdk') });
    const report = JSON.parse(stdout)['@tokentrace/sdk'] ?? JSON.parse(stdout);
    expect(report).toMatchObject({ name: '@tokentrace/sdk', version: expect.stringMatching(/^\d+\.\d+\.\d+/) });
    const files = (report.files as { path: string }[]).map((f) => f.path);
    expect(files).toEqual(expect.arrayContaining(['LICENSE', 'README.md', 'package.json', 'dist/sdk/src/index.js', 'dist/sdk/src/index.d.ts']));
    expect(files.filter((f) => !/^(LICENSE|README\.md|package\.json|dist\/.*\.(js|d\.ts))$/.test(f))).toEqual([]);
    expect(await readFile(join(ROOT, 'sdk/LICENSE'), 'utf8')).toBe(await readFile(join(ROOT, 'LICENSE'), 'utf8'));
    const manifest = JSON.parse(await readFile(join(ROOT, 'sdk/package.json'), 'utf8'));
    expect(manifest.license).toBe(JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8')).license);
  });
});

describe('process exit', () => {
  it('with the server unreachable and no flush(), the process still ends promptly and reports what it gave up', async () => {
    await writeFile(
      join(packed.dir, 'unreachable.mjs'),
      `import { Tokentrace } from '@tokentrace/sdk';
const tt = new Tokentrace({ apiKey: 'ttk_x', endpoint: 'http://127.0.0.1:9/graphql', allowInsecureLocalhost: true, onError: (e) => console.log(e.code, e.spans.length) });
for (let i = 0; i < 3; i++) tt.startSpan({ name: 's' + i }).end();
`,
    );
    const { stdout, ms } = await runNode(packed.dir, 'unreachable.mjs', {});
    expect(stdout.trim()).toBe('SEND_FAILED 3');
    expect(ms).toBeLessThan(5_000); // no backoff timer (10 retries, up to 30 s each) held it open
  });
});

describe('against a real server', () => {
  it('a plain-node app given the server address sends traces that show up with parents, tokens, cost and errors — flushed on exit', async () => {
    const { owner, projectId, secret } = await testApp.projectWithKey();
    await writeFile(
      join(packed.dir, 'app.mjs'),
      `import { Tokentrace } from '@tokentrace/sdk';
const tt = new Tokentrace({ allowInsecureLocalhost: true, onError: (e) => console.error('onError', e.code, e.message) });
let traceId;
await tt.trace({ name: 'e2e-answer', userId: 'user-7', tags: ['e2e'] }, async (trace) => {
  traceId = trace.traceId;
  await tt.generation({ name: 'llm', model: 'gpt-4o-mini', provider: 'openai', input: [{ role: 'user', content: 'hi' }] }, async (gen) => {
    gen.end({ output: { role: 'assistant', content: 'hello' }, usage: { promptTokens: 1000, completionTokens: 500 } });
  });
  await tt.span({ name: 'tool', kind: 'TOOL' }, async () => { throw new Error('tool failed: timeout'); }).catch(() => {});
});
// No flush(): the beforeExit hook sends what is queued; unref'd timers let the process end.
console.log(JSON.stringify({ traceId }));
`,
    );
    const { stdout, stderr, ms } = await runNode(packed.dir, 'app.mjs', { TOKENTRACE_API_KEY: secret, TOKENTRACE_ENDPOINT: baseUrl });
    expect(stderr).toBe('');
    expect(ms).toBeLessThan(10_000); // the 1 s flush interval did not hold the process
    const { traceId } = JSON.parse(stdout);

    const [trace] = (await traces(owner, projectId)).filter((t) => t.id === traceId);
    expect(trace).toMatchObject({ name: 'e2e-answer', userId: 'user-7', tags: ['e2e'], totalTokens: 1500, errorCount: 1 });
    const by = (name: string) => trace.spans.find((s: any) => s.name === name);
    expect(trace.spans).toHaveLength(3);
    expect(by('e2e-answer')).toMatchObject({ parentId: null, status: 'OK' });
    expect(by('llm')).toMatchObject({ parentId: by('e2e-answer').id, kind: 'GENERATION', promptTokens: 1000, completionTokens: 500, totalTokens: 1500, status: 'OK' });
    expect(by('llm').costUsd).toBeGreaterThan(0);
    expect(by('tool')).toMatchObject({ parentId: by('e2e-answer').id, kind: 'TOOL', status: 'ERROR', statusMessage: 'tool failed: timeout' });
  });

  it('through an outage (503s, refused and lost responses) nothing is lost and nothing is stored twice; PII never crosses', async () => {
    const { owner, projectId, secret } = await testApp.projectWithKey();
    let phase: 'down' | 'lossy' | 'up' = 'down';
    let downAnswers = 0;
    const proxy: HttpStub = await startHttpStub(async (req, res) => {
      if (phase === 'down') {
        // Alternate a 503 with a connection reset: both are "try again later".
        if (downAnswers++ % 2 === 0) res.writeHead(503, { 'retry-after': '0' }).end();
        else res.socket?.destroy();
        return;
      }
      if (phase === 'lossy') {
        // The server stores the batch but the answer never arrives: the retry must not double it.
        phase = 'up';
        await forward(endpoint, req, { writeHead: () => ({ end: () => undefined }) } as never);
        res.socket?.destroy();
        return;
      }
      await forward(endpoint, req, res);
    });
    const proxied = `${proxy.url}/graphql`;
    setTimeout(() => (phase = 'lossy'), 1500);
    await writeFile(
      join(packed.dir, 'outage.mjs'),
      `import { Tokentrace } from '@tokentrace/sdk';
const errors = [];
const tt = new Tokentrace({ allowInsecureLocalhost: true, piiRedaction: true, flushAt: 10, flushIntervalMs: 100, retryDelayMs: 100, maxRetryDelayMs: 400, maxRetries: 50, onError: (e) => errors.push(e.code) });
const ids = [];
for (let t = 0; t < 5; t++) {
  await tt.trace({ name: 'outage-' + t }, async () => {
    for (let s = 0; s < 9; s++) {
      await tt.generation({ name: 'g' + s, model: 'gpt-4o-mini', input: 'write to ann.lee@example.com' }, (gen) => { ids.push(gen.id); gen.end({ usage: { promptTokens: 10, completionTokens: 1 } }); });
    }
  });
}
await tt.flush();
console.log(JSON.stringify({ ids, errors, stats: tt.stats() }));
`,
    );
    const { stdout } = await runNode(packed.dir, 'outage.mjs', { TOKENTRACE_API_KEY: secret, TOKENTRACE_ENDPOINT: proxied }, 60_000);
    const result = JSON.parse(stdout);
    await proxy.close();
    expect(result.errors).toEqual([]);
    expect(result.stats).toMatchObject({ queued: 0, sent: 50, failed: 0, dropped: 0 });
    expect(downAnswers).toBeGreaterThan(2); // the outage really happened
    expect(phase).toBe('up'); // and a response was lost after the server stored its batch

    const stored = await traces(owner, projectId);
    const spans = stored.flatMap((t) => t.spans);
    expect(stored).toHaveLength(5);
    expect(spans).toHaveLength(50);
    expect(new Set(spans.map((s: any) => s.id)).size).toBe(50);
    for (const id of result.ids) expect(spans.some((s: any) => s.id === id)).toBe(true);
    expect(spans.filter((s: any) => s.kind === 'GENERATION').every((s: any) => s.input === 'write to [REDACTED:email]')).toBe(true);
    for (const r of proxy.requests) expect(r.raw).not.toContain('ann.lee@example.com');
  });
});

describe('sdk/examples', () => {
  it('run against a server (tsx) and their traces arrive', async () => {
    const { owner, projectId, secret } = await testApp.projectWithKey();
    const openai = await startOpenAIStub();
    try {
      const env = { PATH: process.env.PATH ?? '', TOKENTRACE_API_KEY: secret, TOKENTRACE_ENDPOINT: endpoint, OPENAI_API_KEY: 'sk-test', OPENAI_BASE_URL: `${openai.url}/v1` };
      for (const example of ['basic', 'serverless', 'openai']) {
        const { stderr } = await run(join(ROOT, 'node_modules/.bin/tsx'), [join(ROOT, `sdk/examples/${example}.ts`)], { cwd: ROOT, env, timeout: 30_000 });
        expect(stderr, example).toBe('');
      }
    } finally {
      await openai.close();
    }
    const stored = await traces(owner, projectId);
    expect(stored.map((t) => t.name).sort()).toEqual(['lambda-handler', 'openai-example', 'support-question']);
    const support = stored.find((t) => t.name === 'support-question');
    expect(support.spans).toHaveLength(4);
    expect(support.errorCount).toBe(1);
    expect(JSON.stringify(support.spans)).not.toContain('ann.lee@example.com');
    const generations = stored.find((t) => t.name === 'openai-example').spans.filter((s: any) => s.kind === 'GENERATION');
    expect(generations).toHaveLength(3);
    expect(generations.every((s: any) => s.promptTokens > 0 && s.completionTokens > 0)).toBe(true);
    expect(generations.filter((s: any) => s.completionStartTime !== null)).toHaveLength(1); // the streamed one
  });
});
