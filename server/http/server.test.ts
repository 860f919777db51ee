import { spawn } from 'node:child_process';
import { request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, INGEST, span, TEST_PASSWORD, uniqueEmail, type TestApp } from '../testing/test-app';
import { createHttpServer } from './server';

describe('HTTP server', () => {
  let t: TestApp;
  let base: string;
  let server: ReturnType<typeof createHttpServer>;
  beforeAll(async () => {
    t = await createTestApp();
    server = createHttpServer(t.app);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    await t.close();
  });

  it('answers liveness and readiness', async () => {
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    const ready = await fetch(`${base}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready' });
  });

  it('serves GraphQL over real HTTP', async () => {
    const res = await fetch(`${base}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ viewer { id } }' }),
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ data: { viewer: null } });
  });

  it('refuses HTTP batching (an array of operations)', async () => {
    const res = await fetch(`${base}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify([{ query: '{ viewer { id } }' }, { query: '{ viewer { id } }' }]),
    });
    expect(res.status).toBeGreaterThanOrEqual(400);
  });

  // Over 126 KiB a JSON body is parsed in pieces (parse-json-body.ts): what a client sees must not change.
  it('takes a large ingest batch whole: every good span stored, the bad one rejected by index', async () => {
    const { secret, owner, projectId } = await t.projectWithKey();
    const spans = Array.from({ length: 120 }, (_, i) =>
      span({ id: `big-${i}`, traceId: `big-trace-${i % 12}`, input: { messages: [{ role: 'user', content: `ünïcode ${i} `.repeat(120) }] } }),
    );
    spans[57] = span({ id: 'big-bad', kind: 'NOT_A_KIND' });
    const body = JSON.stringify({ query: INGEST, variables: { spans } });
    expect(Buffer.byteLength(body)).toBeGreaterThan(200 * 1024);
    const res = await fetch(`${base}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${secret}` }, body });
    expect(res.status).toBe(200);
    const { data } = (await res.json()) as { data: { ingest: { accepted: number; rejected: { index: number; id: string }[] } } };
    expect(data.ingest.accepted).toBe(119);
    expect(data.ingest.rejected.map((r) => [r.index, r.id])).toEqual([[57, 'big-bad']]);
    const stored = await owner.gql<{ project: { trace: { spans: { id: string; input: unknown }[] } } }>(
      `query($p: ID!) { project(id: $p) { trace(id: "big-trace-3") { spans { id input } } } }`,
      { p: projectId },
    );
    const three = stored.data!.project.trace.spans.find((s) => s.id === 'big-3');
    expect(three?.input).toEqual(spans[3]!.input);
  });

  it('answers a large body that is not JSON as it answers a small one', async () => {
    const post = (body: string) => fetch(`${base}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    const small = await post('{"query": "{ viewer { id } }", ');
    const large = await post(`{"query": "{ viewer { id } }", "extensions": {"pad": "${'x'.repeat(300 * 1024)}"}, `);
    expect(large.status).toBe(small.status);
    expect(small.status).toBe(400);
    const [a, b] = [(await small.json()) as { errors: { message: string }[] }, (await large.json()) as { errors: { message: string }[] }];
    expect(b.errors[0]!.message).toBe(a.errors[0]!.message);
  });

  /** POSTs `chunks` to /graphql without a Content-Length (chunked), as streaming clients do. */
  function postChunked(url: string, chunks: string[]): Promise<{ status: number; body: string }> {
    return new Promise((resolve, reject) => {
      const req = request(url, { method: 'POST', headers: { 'content-type': 'application/json' } }, (res) => {
        let body = '';
        res.on('data', (d) => (body += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      });
      req.on('error', reject);
      for (const chunk of chunks) req.write(chunk);
      req.end();
    });
  }

  it('reads a body sent without a Content-Length (chunked)', async () => {
    const { status, body } = await postChunked(`${base}/graphql`, ['{"query":"{ vie', 'wer { id } }"}']);
    expect(status).toBe(200);
    expect(JSON.parse(body)).toEqual({ data: { viewer: null } });
  });

  it('refuses a chunked body over TOKENTRACE_MAX_BODY_BYTES with 413 while it streams, and keeps answering', async () => {
    const limited = await createTestApp({ TOKENTRACE_MAX_BODY_BYTES: '4096' });
    const small = createHttpServer(limited.app);
    await new Promise<void>((resolve) => small.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(small.address() as AddressInfo).port}/graphql`;
      const padding = 'x'.repeat(1024);
      const chunks = ['{"query":"{ viewer { id } }","extensions":{"pad":"', ...Array.from({ length: 8 }, () => padding), '"}}'];
      const { status, body } = await postChunked(url, chunks);
      expect(status).toBe(413);
      expect(JSON.parse(body).errors[0].extensions.code).toBe('PAYLOAD_TOO_LARGE');
      // Just under the limit is fine.
      expect((await postChunked(url, ['{"query":"{ viewer { id } }","extensions":{"pad":"', padding, '"}}'])).status).toBe(200);
    } finally {
      await new Promise((resolve) => small.close(resolve));
      await limited.close();
    }
  });
});

describe('npm start', () => {
  it('listens, finishes an in-flight request on SIGTERM, and exits 0', async () => {
    const root = fileURLToPath(new URL('../..', import.meta.url));
    const child = spawn(process.execPath, ['--import', 'tsx', 'server/cli.ts', 'start'], {
      cwd: root,
      env: {
        ...process.env,
        PORT: '0',
        TOKENTRACE_DATA_DIR: 'memory://',
        LOG_LEVEL: 'info',
        NODE_ENV: 'test',
        // A slow hash keeps the sign-up in flight while the signal arrives.
        TOKENTRACE_BCRYPT_COST: '12',
        DATABASE_URL: '',
        // The dashboard build has tests of its own; here it would only slow the start down.
        TOKENTRACE_SKIP_DASHBOARD_BUILD: '1',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stderr.on('data', (d) => (output += d));
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no URL printed: ${output}`)), 60_000);
      child.stdout.on('data', (d: Buffer) => {
        output += d;
        const m = /(http:\/\/\S+\/graphql)/.exec(output);
        if (m) {
          clearTimeout(timer);
          resolve(m[1]!);
        }
      });
    });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    const inFlight = fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        query: 'mutation($i: SignUpInput!) { signUp(input: $i) { user { email } } }',
        variables: { i: { email: uniqueEmail(), password: TEST_PASSWORD } },
      }),
    });
    await new Promise((r) => setTimeout(r, 60));
    child.kill('SIGTERM');
    const res = await inFlight;
    expect(res.status).toBe(200);
    expect((await res.json()).data.signUp.user.email).toMatch(/@example\.com$/);
    expect(await exited).toBe(0);
    expect(output).toMatch(/stopped/);
  }, 90_000);
});
