import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'node:tls';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../server/app';
import { loadConfig } from '../server/config';
import { createLbClient, type LbClient, type LiveTail } from './test/lb-client';

// deploy/run-local.sh, driven as a user would through the load balancer: HAProxy (TLS 1.3) in
// front of two tokentrace instances in production mode on one Postgres and one Redis. Sign up,
// create a key, ingest on one instance while the other one's live tail shows it, read on the
// other, kill an instance in the middle of an SDK's stream of spans and keep going without a
// span lost or doubled, and find the real client IP (not the proxy's) in the audit log. Then the
// backup docs/operations.md gives for Postgres: pg_dump, pg_restore, and the key ring read back.

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const ADMIN_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
/** The client's own loopback address: the proxy connects from 127.0.0.1, the user from here. */
const CLIENT_IP = '127.0.0.7';
const PASSWORD = 'deploy test passphrase';

const state = mkdtempSync(join(tmpdir(), 'tokentrace-deploy-'));
const dbName = `tokentrace_deploy_${randomBytes(4).toString('hex')}`;
let ports: { lb: number; one: number; two: number };
let lb: LbClient;
let upMs = 0;

function run(file: string, args: string[], env: Record<string, string>, timeout = 90_000): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    execFile(file, args, { cwd: ROOT, env: { ...process.env, ...env }, timeout }, (error, stdout, stderr) =>
      error ? reject(new Error(`${file} ${args.join(' ')} failed: ${error.message}\n${stdout}\n${stderr}`)) : resolve({ stdout, stderr }),
    );
  });
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function admin(statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: ADMIN_URL });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}

function databaseUrl(): string {
  const url = new URL(ADMIN_URL);
  url.pathname = `/${dbName}`;
  return url.toString();
}

const deployEnv = () => ({
  TT_DEPLOY_DIR: state,
  TT_LB_PORT: String(ports.lb),
  TT_PORT_1: String(ports.one),
  TT_PORT_2: String(ports.two),
  DATABASE_URL: databaseUrl(),
  REDIS_URL,
  LOG_LEVEL: 'warn',
});

const pidOf = (name: string) => Number(readFileSync(join(state, `${name}.pid`), 'utf8').trim());
const instanceName = (served: string | undefined) => (served === 'tt1' ? 'tokentrace-1' : 'tokentrace-2');

async function gql(query: string, variables: Record<string, unknown>, auth: { cookie?: string; bearer?: string }, headers: Record<string, string> = {}) {
  const res = await lb.post(
    '/graphql',
    { query, variables },
    { ...(auth.cookie ? { cookie: auth.cookie } : {}), ...(auth.bearer ? { authorization: `Bearer ${auth.bearer}` } : {}), ...headers },
  );
  const body = JSON.parse(res.body) as { data?: any; errors?: unknown[] };
  if (body.errors) throw new Error(`GraphQL errors (${res.servedBy}): ${JSON.stringify(body.errors)}`);
  return { data: body.data, res };
}

/** Repeats `call` until the instance `want` (or any other than `avoid`) answers; round robin alternates. */
async function onInstance<T extends { res: { servedBy: string | undefined } }>(target: { want?: string; avoid?: string }, call: () => Promise<T>): Promise<T> {
  for (let attempt = 0; attempt < 6; attempt++) {
    const result = await call();
    const served = result.res.servedBy;
    if ((target.want && served === target.want) || (target.avoid && served !== target.avoid)) return result;
  }
  throw new Error(`no request reached the instance wanted (${JSON.stringify(target)})`);
}

async function waitFor(condition: () => boolean, what: string, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

const INGEST = 'mutation($s: [SpanInput!]!) { ingest(spans: $s) { accepted rejected { reason } } }';
const CONTENT = { question: 'where is my order?' };
const oneSpan = (name: string) => [{ id: `${name}-${randomBytes(3).toString('hex')}`, traceId: `trace-${name}`, kind: 'SPAN', name, input: CONTENT, startTime: new Date().toISOString() }];
/** Left by the journey for the backup test that follows it. */
const journey: { projectId?: string; cookie?: string } = {};

beforeAll(async () => {
  if (!existsSync('/usr/sbin/haproxy')) throw new Error('HAProxy is not installed: apt-get install -y haproxy');
  ports = { lb: await freePort(), one: await freePort(), two: await freePort() };
  await admin(`create database ${dbName}`);
  const started = Date.now();
  await run(join(ROOT, 'deploy/run-local.sh'), ['up'], deployEnv());
  upMs = Date.now() - started;
  lb = createLbClient(`https://127.0.0.1:${ports.lb}`, readFileSync(join(state, 'tls/cert.pem')), CLIENT_IP);
}, 120_000);

afterAll(async () => {
  if (ports) await run(join(ROOT, 'deploy/run-local.sh'), ['down'], deployEnv()).catch((err) => console.error(err));
  await admin(`drop database if exists ${dbName} with (force)`).catch((err) => console.error(err));
  rmSync(state, { recursive: true, force: true });
}, 60_000);

describe('deploy/run-local.sh', () => {
  it('brings HAProxy and two instances up on loopback with a certificate made on the spot', () => {
    console.log(`deploy: up in ${(upMs / 1000).toFixed(1)} s`);
    expect(readFileSync(join(state, 'tls/cert.pem'), 'utf8')).toMatch(/BEGIN CERTIFICATE/);
    for (const name of ['haproxy', 'tokentrace-1', 'tokentrace-2']) expect(() => process.kill(pidOf(name), 0)).not.toThrow();
  });

  it('speaks TLS 1.3 only, sends HSTS, spreads requests over both instances and keeps /metrics off the edge', async () => {
    const tls12 = await new Promise<string>((resolve) => {
      const socket = connect({ host: '127.0.0.1', port: ports.lb, maxVersion: 'TLSv1.2', rejectUnauthorized: false }, () => resolve('connected'));
      socket.on('error', (err) => resolve(err.message));
    });
    expect(tls12).not.toBe('connected');

    const served = new Set<string | undefined>();
    for (let i = 0; i < 4; i++) {
      const res = await lb.get('/healthz');
      expect(res.status).toBe(200);
      expect(res.headers['strict-transport-security']).toMatch(/max-age=/);
      served.add(res.servedBy);
    }
    expect([...served].sort()).toEqual(['tt1', 'tt2']);

    expect((await lb.get('/metrics')).status).toBe(404);
    const direct = await fetch(`http://127.0.0.1:${ports.one}/metrics`);
    expect(direct.status).toBe(200);
    expect(await direct.text()).toContain('tokentrace_db_pool_in_use');
  });

  it('sign up, key, ingest on one instance with the live tail on the other; kill one mid-stream and keep going; audit IP is the client’s', async () => {
    // Sign up: the session cookie is Secure because the proxy said the request came over HTTPS.
    const email = `ops-${randomBytes(4).toString('hex')}@example.com`;
    const signUp = await gql('mutation($i: SignUpInput!) { signUp(input: $i) { user { id } } }', { i: { email, password: PASSWORD, name: 'Ops' } }, {});
    const setCookie = ([] as string[]).concat(signUp.res.headers['set-cookie'] ?? []).find((c) => c.startsWith('tt_session='));
    expect(setCookie).toMatch(/; Secure/i);
    const cookie = setCookie!.split(';')[0]!;

    const project = await gql('mutation { createProject(input: { name: "deployed" }) { id } }', {}, { cookie });
    const projectId = project.data.createProject.id as string;
    Object.assign(journey, { projectId, cookie });
    // A forged X-Forwarded-For must not reach the audit log: the proxy overwrites it.
    const key = await gql(
      'mutation($p: ID!) { createApiKey(projectId: $p, name: "ingest") { secret } }',
      { p: projectId },
      { cookie },
      { 'x-forwarded-for': '203.0.113.66' },
    );
    const secret = key.data.createApiKey.secret as string;

    // The live tail opens on one instance (A); a span ingested on the other (B) reaches it through Redis.
    let tail: LiveTail = await lb.liveTail(projectId, cookie);
    const a = tail.servedBy!;
    await new Promise((r) => setTimeout(r, 300)); // the subscription attaches (SUBSCRIBE on Redis)
    const ingested = await onInstance({ avoid: a }, () => gql(INGEST, { s: oneSpan('cross-instance') }, { bearer: secret }));
    const b = ingested.res.servedBy!;
    expect(b).not.toBe(a);
    expect(ingested.data.ingest.accepted).toBe(1);
    await waitFor(() => tail.names.includes('cross-instance'), `the live tail on ${a} to show the span ingested on ${b}`);

    // Read on the instance that did not ingest it.
    const TRACES = 'query($p: ID!) { project(id: $p) { traces(first: 100) { edges { node { name spans { name } } } } } }';
    const read = await onInstance({ want: a }, () => gql(TRACES, { p: projectId }, { cookie }));
    expect(read.data.project.traces.edges.map((e: any) => e.node.spans[0].name)).toContain('cross-instance');

    // An application streams spans through the SDK (given the base URL only); instance A dies in the middle.
    const sender = run(process.execPath, ['--import', 'tsx', join(ROOT, 'deploy/test/sdk-sender.ts')], {
      TOKENTRACE_API_KEY: secret,
      TOKENTRACE_ENDPOINT: `https://127.0.0.1:${ports.lb}`,
      NODE_EXTRA_CA_CERTS: join(state, 'tls/cert.pem'),
      SPANS: '80',
      EVERY_MS: '50',
    });
    await waitFor(() => tail.names.filter((n) => n.startsWith('sdk-')).length >= 3, 'the SDK stream to reach the live tail');
    process.kill(pidOf(instanceName(a)), 'SIGKILL');
    await tail.ended; // the stream on the dead instance ends; the dashboard reconnects…
    const seenBeforeKill = tail.names.filter((n) => n.startsWith('sdk-')).length;
    tail = await lb.liveTail(projectId, cookie); // …and lands on the instance that is left
    expect(tail.servedBy).toBe(b);

    const { stdout } = await sender;
    const report = JSON.parse(stdout.trim().split('\n').pop()!) as { stats: Record<string, number>; errors: string[] };
    expect(report.errors).toEqual([]);
    expect(report.stats).toMatchObject({ sent: 80, failed: 0, dropped: 0, queued: 0 });
    expect(seenBeforeKill).toBeLessThan(80); // the kill really happened mid-stream
    expect(tail.names.filter((n) => n.startsWith('sdk-')).length).toBeGreaterThan(0); // the new stream carries on
    tail.close();

    // Every span stored once, read through the instance that is left.
    const after = await gql(TRACES, { p: projectId }, { cookie });
    expect(after.res.servedBy).toBe(b);
    const names = after.data.project.traces.edges.flatMap((e: any) => e.node.spans.map((s: any) => s.name as string)).filter((n: string) => n.startsWith('sdk-'));
    expect(names).toHaveLength(80);
    expect(new Set(names).size).toBe(80);

    // The audit log has the real client address, not the proxy's 127.0.0.1 nor the forged one.
    const audit = await gql('query($p: ID!) { project(id: $p) { auditLog(first: 20) { edges { node { action ip } } } } }', { p: projectId }, { cookie });
    const entries = audit.data.project.auditLog.edges.map((e: any) => e.node) as { action: string; ip: string }[];
    expect(entries.map((e) => e.action)).toContain('api_key.create');
    expect(new Set(entries.map((e) => e.ip))).toEqual(new Set([CLIENT_IP]));
  });

  it('the documented pg_dump / pg_restore round trip, with the key ring kept apart, reads the content back', async () => {
    expect(journey.projectId).toBeDefined();
    const restoredName = `${dbName}_restored`;
    const dump = join(state, 'tokentrace.dump');
    const restoredUrl = new URL(databaseUrl());
    restoredUrl.pathname = `/${restoredName}`;
    await run('pg_dump', ['--format=custom', '--no-owner', `--file=${dump}`, databaseUrl()], {});
    await admin(`create database ${restoredName}`);
    try {
      await run('pg_restore', ['--no-owner', '--exit-on-error', `--dbname=${restoredUrl}`, dump], {});
      const keyFile = readFileSync(join(state, 'encryption-keys.env'), 'utf8');
      const keys = /^TOKENTRACE_ENCRYPTION_KEYS=(.*)$/m.exec(keyFile)![1]!;
      const auditKeys = /^TOKENTRACE_AUDIT_KEYS=(.*)$/m.exec(keyFile)![1]!;
      const app = await createApp(
        loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', DATABASE_URL: restoredUrl.toString(), TOKENTRACE_ENCRYPTION_KEYS: keys, TOKENTRACE_AUDIT_KEYS: auditKeys }),
      );
      try {
        // The user's session came back with the database: the same cookie reads the same span.
        const res = await app.yoga.fetch('http://localhost:4000/graphql', {
          method: 'POST',
          headers: { 'content-type': 'application/json', cookie: journey.cookie! },
          body: JSON.stringify({ query: 'query($p: ID!) { project(id: $p) { traces(first: 100) { edges { node { spans { name input } } } } } }', variables: { p: journey.projectId } }),
        });
        const body = (await res.json()) as { data: any; errors?: unknown };
        expect(body.errors).toBeUndefined();
        const spans = body.data.project.traces.edges.flatMap((e: any) => e.node.spans);
        expect(spans.find((s: any) => s.name === 'cross-instance')?.input).toEqual(CONTENT);
        expect(spans.filter((s: any) => s.name.startsWith('sdk-'))).toHaveLength(80);
      } finally {
        await app.close();
      }
    } finally {
      await admin(`drop database if exists ${restoredName} with (force)`);
    }
  });
});
