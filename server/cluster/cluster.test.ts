import { mkdtemp, rm } from 'node:fs/promises';
import { request, type IncomingHttpHeaders } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { launchServer, stopServer, type LaunchedServer } from '../testing/launch-server';
import { INGEST, span, TEST_AUDIT_KEYS, TEST_PASSWORD, uniqueEmail } from '../testing/test-app';

// `npm start` with TOKENTRACE_WORKERS=2, spawned for real: its launcher, scripts/start.mjs, so the
// primary and its workers run the prebuilt server bundle. On Postgres (TEST_DATABASE_URL) it
// is a cluster: both workers answer, a live-tail subscription held by one worker gets a span
// ingested through the other (relayed by the primary, no Redis), an ingest rate limit counts
// the spans of both workers, and SIGTERM stops them all. On embedded PGlite the same command
// runs one process: no worker answers, and the log says why.

const databaseUrl = inject('testDatabaseUrl');
const SPANS_PER_MINUTE = 10;

interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  body: any;
}

/** One POST on a fresh connection: node:cluster gives each new connection to the next worker. */
function post(base: string, body: unknown, bearer?: string): Promise<Answer> {
  const text = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = request(
      `${base}/graphql`,
      {
        method: 'POST',
        agent: false,
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(text),
          connection: 'close',
          ...(bearer ? { authorization: `Bearer ${bearer}` } : {}),
        },
      },
      (res) => {
        let data = '';
        res.on('data', (c) => (data += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: JSON.parse(data) }));
      },
    );
    req.on('error', reject);
    req.end(text);
  });
}

function get(base: string, path: string): Promise<{ status: number; headers: IncomingHttpHeaders }> {
  return new Promise((resolve, reject) => {
    const req = request(`${base}${path}`, { agent: false, headers: { connection: 'close' } }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers }));
    });
    req.on('error', reject);
    req.end();
  });
}

function startServer(env: Record<string, string>): Promise<LaunchedServer> {
  return launchServer({
    NODE_ENV: 'development',
    PORT: '0',
    LOG_LEVEL: 'info',
    REDIS_URL: '',
    TOKENTRACE_CONFIG: '',
    TOKENTRACE_BCRYPT_COST: '4',
    TOKENTRACE_SIGNUP_MAX_PER_IP: '100000',
    TOKENTRACE_SKIP_DASHBOARD_BUILD: '1',
    TOKENTRACE_AUDIT_KEYS: TEST_AUDIT_KEYS,
    TOKENTRACE_WORKERS: '2',
    TOKENTRACE_INGEST_MAX_SPANS: String(SPANS_PER_MINUTE),
    TOKENTRACE_INGEST_SPANS_PER_MINUTE: String(SPANS_PER_MINUTE),
    ...env,
  });
}

/** A user, a project and an ingest key, through the API. */
async function projectWithKey(base: string): Promise<{ projectId: string; secret: string; cookie: string }> {
  const signUp = await new Promise<{ cookie: string }>((resolve, reject) => {
    const text = JSON.stringify({
      query: 'mutation($i: SignUpInput!) { signUp(input: $i) { user { id } } }',
      variables: { i: { email: uniqueEmail('cluster'), password: TEST_PASSWORD, name: 'Cluster' } },
    });
    const req = request(`${base}/graphql`, { method: 'POST', agent: false, headers: { 'content-type': 'application/json' } }, (res) => {
      res.resume();
      const cookie = (res.headers['set-cookie'] ?? []).find((c) => c.startsWith('tt_session='))?.split(';')[0];
      res.on('end', () => (cookie ? resolve({ cookie }) : reject(new Error(`no session cookie (HTTP ${res.statusCode})`))));
    });
    req.on('error', reject);
    req.end(text);
  });
  const withCookie = (query: string, variables: Record<string, unknown> = {}) =>
    new Promise<any>((resolve, reject) => {
      const text = JSON.stringify({ query, variables });
      const req = request(
        `${base}/graphql`,
        { method: 'POST', agent: false, headers: { 'content-type': 'application/json', cookie: signUp.cookie } },
        (res) => {
          let data = '';
          res.on('data', (c) => (data += c));
          res.on('end', () => resolve(JSON.parse(data)));
        },
      );
      req.on('error', reject);
      req.end(text);
    });
  const p = await withCookie('mutation { createProject(input: { name: "cluster" }) { id } }');
  const projectId = p.data.createProject.id as string;
  const k = await withCookie('mutation($p: ID!) { createApiKey(projectId: $p, name: "k") { secret } }', { p: projectId });
  return { projectId, secret: k.data.createApiKey.secret as string, cookie: signUp.cookie };
}

/** Subscribes to the live tail on one connection; resolves the worker that holds it and the first span's id. */
function subscribe(base: string, projectId: string, cookie: string) {
  let worker: (value: string | undefined) => void = () => {};
  const workerOf = new Promise<string | undefined>((r) => (worker = r));
  let req: ReturnType<typeof request> | undefined;
  const firstSpan = new Promise<string>((resolve, reject) => {
    const text = JSON.stringify({ query: 'subscription($p: ID!) { spanIngested(projectId: $p) { id } }', variables: { p: projectId } });
    req = request(
      `${base}/graphql`,
      { method: 'POST', agent: false, headers: { 'content-type': 'application/json', accept: 'text/event-stream', cookie } },
      (res) => {
        worker(res.headers['x-tokentrace-worker'] as string | undefined);
        let buffer = '';
        res.on('data', (c) => {
          buffer += c;
          const m = /event: next\ndata: (.*)\n/.exec(buffer);
          if (m) resolve(JSON.parse(m[1]!).data.spanIngested.id);
        });
        res.on('end', () => reject(new Error(`stream ended: ${buffer}`)));
      },
    );
    req.on('error', () => {});
    req.end(text);
  });
  return { workerOf, firstSpan, close: () => req?.destroy() };
}

// One of the two runs, by the database of this test run (so neither is ever reported skipped).
if (databaseUrl) describe('npm start on Postgres with TOKENTRACE_WORKERS=2', () => {
  let server: LaunchedServer;
  beforeAll(async () => {
    server = await startServer({ DATABASE_URL: databaseUrl!, TOKENTRACE_DATA_DIR: await mkdtemp(join(tmpdir(), 'tokentrace-cluster-')) });
  }, 120_000);
  afterAll(async () => {
    if (server) await stopServer(server);
  });

  it('says it runs 2 workers, and both answer requests', async () => {
    expect(server.output()).toMatch(/is running on Postgres with 2 workers/);
    const workers = new Set<string>();
    for (let i = 0; i < 6; i++) {
      const res = await post(server.base, { query: '{ viewer { id } }' });
      expect(res.status).toBe(200);
      workers.add(String(res.headers['x-tokentrace-worker']));
    }
    expect([...workers].sort()).toEqual(['1', '2']);
  });

  it('relays a span ingested through one worker to a live-tail subscriber on the other', async () => {
    const { projectId, secret, cookie } = await projectWithKey(server.base);
    const live = subscribe(server.base, projectId, cookie);
    try {
      const held = await live.workerOf;
      expect(held).toMatch(/^[12]$/);
      // Give the subscription its round trip to the primary. Connections go to the workers in
      // turn: once a probe lands on the subscriber's worker, the next connection is the other's.
      await new Promise((r) => setTimeout(r, 500));
      for (let i = 0; i < 4; i++) {
        if ((await get(server.base, '/healthz')).headers['x-tokentrace-worker'] === held) break;
      }
      const id = `relayed-${Date.now()}`;
      const res = await post(server.base, { query: INGEST, variables: { spans: [span({ id })] } }, secret);
      expect(res.body.data.ingest.accepted).toBe(1);
      expect(res.headers['x-tokentrace-worker']).not.toBe(held);
      const received = await Promise.race([live.firstSpan, new Promise<string>((_, reject) => setTimeout(() => reject(new Error('no live-tail event in 10 s')), 10_000))]);
      expect(received).toBe(id);
    } finally {
      live.close();
    }
  });

  it('counts an ingest rate limit across both workers', async () => {
    const { secret } = await projectWithKey(server.base);
    const half = () => Array.from({ length: SPANS_PER_MINUTE / 2 }, () => span({ id: `rl-${Math.random().toString(36).slice(2)}` }));
    const first = await post(server.base, { query: INGEST, variables: { spans: half() } }, secret);
    const second = await post(server.base, { query: INGEST, variables: { spans: half() } }, secret);
    expect(first.body.data.ingest.accepted).toBe(SPANS_PER_MINUTE / 2);
    expect(second.body.data.ingest.accepted).toBe(SPANS_PER_MINUTE / 2);
    // Two new connections: one per worker. Each has taken half of the project's budget.
    expect(new Set([first.headers['x-tokentrace-worker'], second.headers['x-tokentrace-worker']]).size).toBe(2);
    const third = await post(server.base, { query: INGEST, variables: { spans: [span({ id: 'rl-over' })] } }, secret);
    expect(third.body.errors?.[0]?.extensions?.code).toBe('RATE_LIMITED');
  });

  it('stops every worker and then itself on SIGTERM', async () => {
    const code = await stopServer(server);
    expect(code).toBe(0);
    expect(server.output().match(/"msg":"stopped"/g)?.length).toBe(3);
  });
});

else describe('npm start on embedded PGlite with TOKENTRACE_WORKERS=2', () => {
  let server: LaunchedServer;
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tokentrace-cluster-'));
    server = await startServer({ DATABASE_URL: '', TOKENTRACE_DATA_DIR: dir });
  }, 120_000);
  afterAll(async () => {
    if (server) await stopServer(server);
    await rm(dir, { recursive: true, force: true });
  });

  it('runs one process, says why, and keeps the rate limit', async () => {
    expect(server.output()).toMatch(/is running on embedded PGlite/);
    expect(server.output()).toContain('embedded PGlite runs in one process');
    const { secret } = await projectWithKey(server.base);
    const batch = () => Array.from({ length: SPANS_PER_MINUTE / 2 }, () => span({ id: `one-${Math.random().toString(36).slice(2)}` }));
    for (let i = 0; i < 2; i++) {
      const res = await post(server.base, { query: INGEST, variables: { spans: batch() } }, secret);
      expect(res.body.data.ingest.accepted).toBe(SPANS_PER_MINUTE / 2);
      // No cluster: no worker names itself.
      expect(res.headers['x-tokentrace-worker']).toBeUndefined();
    }
    const over = await post(server.base, { query: INGEST, variables: { spans: batch() } }, secret);
    expect(over.body.errors?.[0]?.extensions?.code).toBe('RATE_LIMITED');
    expect(await stopServer(server)).toBe(0);
  });
});
