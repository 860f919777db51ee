import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDashboardHandler, DASHBOARD_CSP } from './dashboard';

// The static dashboard handler over a real socket (raw paths such as `/../` must reach it
// unnormalised, which fetch() would not allow).

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  passed: boolean;
}

describe('dashboard static handler', () => {
  let root: string;
  let server: Server;
  let port: number;
  let passedOn: string[] = [];

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'tt-dashboard-'));
    await mkdir(join(root, 'assets'));
    await writeFile(join(root, 'index.html'), '<!doctype html><title>tokentrace</title><script type="module" src="/assets/index-abc123.js"></script>');
    await writeFile(join(root, 'assets', 'index-abc123.js'), 'console.log(1)');
    await writeFile(join(root, 'assets', 'index-abc123.css'), 'body{}');
    await writeFile(join(root, 'favicon.svg'), '<svg/>');
    await writeFile(join(tmpdir(), 'tt-dashboard-secret.txt'), 'secret');
    const handle = createDashboardHandler({ root });
    server = createServer(async (req, res) => {
      if (await handle(req, res)) return;
      passedOn.push(req.url ?? '');
      res.writeHead(299).end('passed on');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    await new Promise((r) => server.close(r));
    await rm(root, { recursive: true, force: true });
    await rm(join(tmpdir(), 'tt-dashboard-secret.txt'), { force: true });
  });

  function get(path: string, method = 'GET'): Promise<Reply> {
    return new Promise((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, path, method }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body, passed: res.statusCode === 299 }));
      });
      req.on('error', reject);
      req.end();
    });
  }

  it('serves index.html at / with no-cache and the strict headers', async () => {
    const r = await get('/');
    expect(r.status).toBe(200);
    expect(r.body).toContain('<title>tokentrace</title>');
    expect(r.headers['content-type']).toMatch(/^text\/html/);
    expect(r.headers['cache-control']).toBe('no-cache');
    expect(r.headers['content-security-policy']).toBe(DASHBOARD_CSP);
    expect(DASHBOARD_CSP).toContain("script-src 'self'");
    expect(DASHBOARD_CSP).toContain("frame-ancestors 'none'");
    expect(DASHBOARD_CSP).toContain("base-uri 'none'");
    expect(DASHBOARD_CSP).not.toContain('unsafe-inline');
    expect(r.headers['x-content-type-options']).toBe('nosniff');
    expect(r.headers['referrer-policy']).toBeDefined();
  });

  it('falls back to index.html for client routes', async () => {
    for (const path of ['/projects', '/p/123/traces/abc', '/p/123/traces/run.v2', '/signin?error=oauth_denied']) {
      const r = await get(path);
      expect(r.status, path).toBe(200);
      expect(r.body).toContain('<title>tokentrace</title>');
      expect(r.headers['cache-control']).toBe('no-cache');
    }
  });

  it('serves hashed assets as immutable, with their content type', async () => {
    const js = await get('/assets/index-abc123.js');
    expect(js.status).toBe(200);
    expect(js.body).toBe('console.log(1)');
    expect(js.headers['content-type']).toMatch(/^text\/javascript/);
    expect(js.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    const css = await get('/assets/index-abc123.css');
    expect(css.headers['content-type']).toMatch(/^text\/css/);
    const icon = await get('/favicon.svg');
    expect(icon.headers['cache-control']).toBe('no-cache');
  });

  it('answers HEAD without a body', async () => {
    const r = await get('/assets/index-abc123.js', 'HEAD');
    expect(r.status).toBe(200);
    expect(r.body).toBe('');
    expect(r.headers['content-length']).toBe('14');
  });

  it('answers a missing asset with 404, never with index.html', async () => {
    const r = await get('/assets/index-gone.js');
    expect(r.status).toBe(404);
    expect(r.body).not.toContain('<title>');
    expect((await get('/robots.txt')).status).toBe(404);
  });

  it('never takes the server’s own paths, nor other methods', async () => {
    passedOn = [];
    for (const path of ['/graphql', '/graphql?query={viewer{id}}', '/healthz', '/readyz', '/auth/github/start', '/auth/google/callback', '/v1/traces']) {
      expect((await get(path)).passed, path).toBe(true);
    }
    expect((await get('/projects', 'POST')).passed).toBe(true);
    expect((await get('/', 'DELETE')).passed).toBe(true);
    expect(passedOn).toHaveLength(9);
  });

  it('refuses path traversal', async () => {
    for (const path of ['/../tt-dashboard-secret.txt', '/assets/../../tt-dashboard-secret.txt', '/assets/%2e%2e/%2e%2e/tt-dashboard-secret.txt', '/assets/..%2f..%2ftt-dashboard-secret.txt', '/assets/%00.js', '/assets/..%5c..%5ctt-dashboard-secret.txt', '/%E0%A4%A']) {
      const r = await get(path);
      expect(r.status, path).toBe(400);
      expect(r.body).not.toContain('secret');
    }
  });

  it('says the dashboard is not built when index.html is missing', async () => {
    const empty = await mkdtemp(join(tmpdir(), 'tt-dashboard-empty-'));
    const handle = createDashboardHandler({ root: empty });
    const s = createServer(async (req, res) => void (await handle(req, res)));
    await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
    const p = (s.address() as AddressInfo).port;
    const status = await new Promise<number>((resolve) => request({ host: '127.0.0.1', port: p, path: '/' }, (res) => { res.resume(); resolve(res.statusCode ?? 0); }).end());
    expect(status).toBe(503);
    await new Promise((r) => s.close(r));
    await rm(empty, { recursive: true, force: true });
  });
});
