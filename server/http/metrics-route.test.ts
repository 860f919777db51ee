import type { IncomingMessage, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../config';
import { createTestApp, type TestApp } from '../testing/test-app';
import { metricsAccess } from './metrics-route';
import { createHttpServer } from './server';

// Who may read GET /metrics: a loopback caller of a loopback-bound server, or anyone with the
// token; nobody through a proxy without the token.

const TOKEN = 'metrics-token-0123456789abcdef';

async function listen(t: TestApp): Promise<{ server: Server; base: string }> {
  const server = createHttpServer(t.app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, base: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

async function stop(server: Server): Promise<void> {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
}

describe('without TOKENTRACE_METRICS_TOKEN, on loopback', () => {
  let t: TestApp;
  let http: { server: Server; base: string };
  beforeAll(async () => {
    t = await createTestApp();
    http = await listen(t);
  });
  afterAll(async () => {
    await stop(http.server);
    await t.close();
  });

  it('answers a direct loopback caller', async () => {
    const res = await fetch(`${http.base}/metrics`);
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('# TYPE tokentrace_spans_accepted_total counter');
  });

  it('is off (404) for a request relayed by a proxy', async () => {
    for (const header of ['x-forwarded-for', 'forwarded', 'x-forwarded-proto']) {
      const res = await fetch(`${http.base}/metrics`, { headers: { [header]: header === 'forwarded' ? 'for=203.0.113.9' : '203.0.113.9' } });
      expect(res.status, header).toBe(404);
      expect(await res.text()).not.toContain('tokentrace_');
    }
  });

  it('is not the dashboard, and refuses other methods', async () => {
    const res = await fetch(`${http.base}/metrics`, { method: 'POST', headers: { 'content-length': '0' } });
    expect(res.status).toBe(405);
  });
});

describe('the access rule', () => {
  const req = (remoteAddress: string, headers: Record<string, string> = {}) => ({ socket: { remoteAddress }, headers }) as unknown as IncomingMessage;

  it('is off when the server listens beyond loopback and no token is set', () => {
    expect(metricsAccess(loadConfig({ HOST: '0.0.0.0' }), req('127.0.0.1'))).toBe('off');
    expect(metricsAccess(loadConfig({ HOST: '10.0.0.5' }), req('10.0.0.9'))).toBe('off');
  });

  it('allows loopback callers of a loopback-bound server (IPv4, IPv6, localhost)', () => {
    expect(metricsAccess(loadConfig({ HOST: '127.0.0.1' }), req('127.0.0.1'))).toBe('allow');
    expect(metricsAccess(loadConfig({ HOST: '::1' }), req('::1'))).toBe('allow');
    expect(metricsAccess(loadConfig({ HOST: 'localhost' }), req('::ffff:127.0.0.1'))).toBe('allow');
    expect(metricsAccess(loadConfig({ HOST: '127.0.0.1' }), req('192.168.1.4'))).toBe('off');
  });

  it('with a token, wants it from everyone, on any bind address', () => {
    const config = loadConfig({ HOST: '0.0.0.0', TOKENTRACE_METRICS_TOKEN: TOKEN });
    expect(metricsAccess(config, req('203.0.113.9', { authorization: `Bearer ${TOKEN}` }))).toBe('allow');
    expect(metricsAccess(config, req('127.0.0.1'))).toBe('unauthorized');
    expect(metricsAccess(config, req('127.0.0.1', { authorization: `Bearer ${TOKEN}x` }))).toBe('unauthorized');
  });

  it('refuses a token shorter than 16 characters, naming the variable', () => {
    expect(() => loadConfig({ TOKENTRACE_METRICS_TOKEN: 'short' })).toThrow(ConfigError);
    expect(() => loadConfig({ TOKENTRACE_METRICS_TOKEN: 'short' })).toThrow(/TOKENTRACE_METRICS_TOKEN/);
  });
});

describe('with TOKENTRACE_METRICS_TOKEN', () => {
  let t: TestApp;
  let http: { server: Server; base: string };
  beforeAll(async () => {
    t = await createTestApp({ TOKENTRACE_METRICS_TOKEN: TOKEN });
    http = await listen(t);
  });
  afterAll(async () => {
    await stop(http.server);
    await t.close();
  });

  it('answers 401 without the token or with a wrong one, 200 with it (also through a proxy)', async () => {
    const none = await fetch(`${http.base}/metrics`);
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toMatch(/^Bearer/);
    expect(await none.text()).not.toContain(TOKEN);
    expect((await fetch(`${http.base}/metrics`, { headers: { authorization: 'Bearer wrong-token-0123456789' } })).status).toBe(401);
    const ok = await fetch(`${http.base}/metrics`, { headers: { authorization: `Bearer ${TOKEN}`, 'x-forwarded-for': '203.0.113.9' } });
    expect(ok.status).toBe(200);
    expect(await ok.text()).toContain('tokentrace_db_pool_size');
  });
});
