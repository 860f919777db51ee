import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { request as httpsRequest } from 'node:https';
import type { Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'node:tls';
import { generate } from 'selfsigned';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateKey } from '../../plugins/encryption/key-ring';
import { ConfigError, loadConfig } from '../config';
import { createTestApp, type TestApp, uniqueEmail, TEST_PASSWORD } from '../testing/test-app';
import { createHttpServer } from './server';
import { HSTS, setTransportHeaders } from './tls';

// TLS 1.3 only, HSTS and Secure cookies with a certificate; production without one refused
// unless a proxy terminates TLS. The certificate is a throwaway one made by the test.

const SIGN_UP = JSON.stringify({
  query: 'mutation($i: SignUpInput!) { signUp(input: $i) { user { id } } }',
  variables: { i: { email: uniqueEmail('tls'), password: TEST_PASSWORD } },
});

async function listen(server: Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

function stop(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}

describe('HTTPS with TOKENTRACE_TLS_CERT and TOKENTRACE_TLS_KEY', () => {
  let dir: string;
  let cert: string;
  let t: TestApp;
  let server: Server;
  let port: number;

  beforeAll(async () => {
    // Node makes the key pair (fast, native); selfsigned wraps it in a certificate.
    const keyPair = generateKeyPairSync('rsa', {
      modulusLength: 2048,
      publicKeyEncoding: { type: 'spki', format: 'pem' },
      privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    });
    const pems = await generate([{ name: 'commonName', value: 'localhost' }], {
      keyPair,
      algorithm: 'sha256',
      extensions: [{ name: 'subjectAltName', altNames: [{ type: 2, value: 'localhost' }, { type: 7, ip: '127.0.0.1' }] }],
    });
    dir = await mkdtemp(join(tmpdir(), 'tokentrace-tls-'));
    cert = pems.cert;
    await writeFile(join(dir, 'cert.pem'), pems.cert);
    await writeFile(join(dir, 'key.pem'), pems.private);
    t = await createTestApp({ TOKENTRACE_TLS_CERT: join(dir, 'cert.pem'), TOKENTRACE_TLS_KEY: join(dir, 'key.pem') });
    server = createHttpServer(t.app) as Server;
    port = await listen(server);
  });
  afterAll(async () => {
    if (server) await stop(server);
    await t?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('refuses a client that speaks at most TLS 1.2', async () => {
    const outcome = await new Promise<string>((resolve) => {
      const socket = connect({ host: '127.0.0.1', port, ca: cert, servername: 'localhost', maxVersion: 'TLSv1.2' });
      socket.once('secureConnect', () => {
        resolve(`connected with ${socket.getProtocol()}`);
        socket.destroy();
      });
      socket.once('error', (err: NodeJS.ErrnoException) => resolve(`refused: ${err.code ?? err.message}`));
    });
    expect(outcome).toMatch(/^refused: /);
    expect(outcome).toMatch(/PROTOCOL_VERSION|VERSION|ALERT/i);
  });

  it('serves a TLS 1.3 client, with HSTS and a Secure session cookie', async () => {
    const res = await new Promise<{ protocol: string | null; status: number; headers: Record<string, unknown>; body: string }>((resolve, reject) => {
      const req = httpsRequest(
        {
          host: '127.0.0.1',
          port,
          path: '/graphql',
          method: 'POST',
          ca: cert,
          servername: 'localhost',
          minVersion: 'TLSv1.3',
          headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(SIGN_UP), origin: 'http://localhost:4000' },
        },
        (response) => {
          const protocol = (response.socket as import('node:tls').TLSSocket).getProtocol();
          let body = '';
          response.on('data', (chunk: Buffer) => (body += chunk.toString()));
          response.on('end', () =>
            resolve({
              protocol,
              status: response.statusCode ?? 0,
              headers: response.headers,
              body,
            }),
          );
        },
      );
      req.on('error', reject);
      req.end(SIGN_UP);
    });
    expect(res.protocol).toBe('TLSv1.3');
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body).errors).toBeUndefined();
    expect(res.headers['strict-transport-security']).toBe(HSTS);
    const cookie = (res.headers['set-cookie'] as string[]).find((c) => c.startsWith('tt_session='));
    expect(cookie).toMatch(/; Secure/);
    expect(cookie).toMatch(/HttpOnly/);
  });
});

describe('NODE_ENV=production transport', () => {
  const keys = { TOKENTRACE_ENCRYPTION_KEYS: `k1:${generateKey()}` };
  let plain: TestApp;
  let proxied: TestApp;
  beforeAll(async () => {
    [plain, proxied] = await Promise.all([
      createTestApp({ NODE_ENV: 'production', ...keys }),
      createTestApp({ NODE_ENV: 'production', TOKENTRACE_TLS_TERMINATED_BY_PROXY: 'true', ...keys }),
    ]);
  });
  afterAll(async () => {
    await plain?.close();
    await proxied?.close();
  });

  it('refuses to serve plain HTTP without a certificate, naming both ways out', () => {
    expect(() => createHttpServer(plain.app)).toThrow(ConfigError);
    expect(() => createHttpServer(plain.app)).toThrow(/TOKENTRACE_TLS_CERT.*TOKENTRACE_TLS_TERMINATED_BY_PROXY/s);
  });

  it('behind a TLS-terminating proxy: starts, and trusts X-Forwarded-Proto for Secure cookies and HSTS', async () => {
    const server = createHttpServer(proxied.app) as Server;
    const port = await listen(server);
    try {
      const post = (proto?: string) =>
        fetch(`http://127.0.0.1:${port}/graphql`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...(proto ? { 'x-forwarded-proto': proto } : {}) },
          body: JSON.stringify({
            query: 'mutation($i: SignUpInput!) { signUp(input: $i) { user { id } } }',
            variables: { i: { email: uniqueEmail('proxy'), password: TEST_PASSWORD } },
          }),
        });
      const viaTls = await post('https');
      expect(viaTls.headers.get('strict-transport-security')).toBe(HSTS);
      expect(viaTls.headers.getSetCookie().find((c) => c.startsWith('tt_session='))).toMatch(/; Secure/);

      const viaPlain = await post();
      expect(viaPlain.headers.get('strict-transport-security')).toBeNull();
      expect(viaPlain.headers.getSetCookie().find((c) => c.startsWith('tt_session='))).not.toMatch(/Secure/);
    } finally {
      await stop(server);
    }
  });

  it('without the proxy flag (or TRUST_PROXY), X-Forwarded-Proto earns no HSTS', () => {
    const headers = (env: Record<string, string>) => {
      const set = new Map<string, string>();
      setTransportHeaders(loadConfig(env), 'https', { setHeader: (k: string, v: string) => set.set(k, v) } as unknown as ServerResponse);
      return set.get('strict-transport-security');
    };
    expect(headers({})).toBeUndefined();
    expect(headers({ TOKENTRACE_TLS_TERMINATED_BY_PROXY: 'true' })).toBe(HSTS);
    expect(headers({ TRUST_PROXY: 'true' })).toBe(HSTS);
  });
});

describe('/.well-known/security.txt', () => {
  it('names the configured security contact, and is absent without one', async () => {
    const { securityTxt } = await import('./security-txt');
    const text = securityTxt(loadConfig({ TOKENTRACE_SECURITY_CONTACT: 'security@example.org', TOKENTRACE_PUBLIC_URL: 'https://tt.example.org' }));
    expect(text).toMatch(/^Contact: mailto:security@example\.org$/m);
    expect(text).toMatch(/^Expires: \d{4}-/m);
    expect(text).toMatch(/^Canonical: https:\/\/tt\.example\.org\/\.well-known\/security\.txt$/m);
    expect(securityTxt(loadConfig({ TOKENTRACE_SECURITY_CONTACT: 'https://example.org/report' }))).toMatch(/^Contact: https:\/\/example\.org\/report$/m);
    expect(securityTxt(loadConfig({}))).toBeUndefined();
  });
});
