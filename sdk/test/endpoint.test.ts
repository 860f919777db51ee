import { afterEach, describe, expect, it } from 'vitest';
import { Tokentrace, type TokentraceError } from '../src/index.js';
import { checkEndpoint } from '../src/endpoint.js';
import { acceptAll, startHttpStub, type HttpStub } from './helpers/http-stub.js';

// The endpoint as people write it: the server's address alone works, and a wrong address is
// reported with the URL that was called and the setting to fix.

const stubs: HttpStub[] = [];
afterEach(async () => {
  for (const stub of stubs.splice(0)) await stub.close();
});

describe('the server address without a path', () => {
  it.each(['https://tokentrace.example.com', 'https://tokentrace.example.com/', 'https://tokentrace.example.com:8443'])('%s means its /graphql', (endpoint) => {
    expect(new URL(checkEndpoint(endpoint, false)).pathname).toBe('/graphql');
  });

  it('keeps any other path as written (a server behind a path prefix)', () => {
    expect(checkEndpoint('https://example.com/graphql', false)).toBe('https://example.com/graphql');
    expect(checkEndpoint('https://example.com/tokentrace/graphql', false)).toBe('https://example.com/tokentrace/graphql');
  });

  it.each(['', '/'])('spans sent to a base URL%s arrive at POST /graphql', async (suffix) => {
    const stub = await startHttpStub(acceptAll);
    stubs.push(stub);
    const errors: TokentraceError[] = [];
    const tt = new Tokentrace({ apiKey: 'ttk_test', endpoint: `${stub.url}${suffix}`, allowInsecureLocalhost: true, onError: (e) => errors.push(e) });
    tt.startSpan({ name: 'a' }).end();
    await tt.shutdown({ timeoutMs: 2_000 });
    expect(errors).toEqual([]);
    expect(stub.requests.map((r) => `${r.method} ${r.url}`)).toEqual(['POST /graphql']);
  });
});

describe('a 404 from the endpoint', () => {
  it('names the URL called and what to set, once, without retrying', async () => {
    const stub = await startHttpStub((_req, res) => void res.writeHead(404, { 'content-type': 'text/plain' }).end('Not found.'));
    stubs.push(stub);
    const errors: TokentraceError[] = [];
    const endpoint = `${stub.url}/api/graphql`;
    const tt = new Tokentrace({ apiKey: 'ttk_test', endpoint, allowInsecureLocalhost: true, retryDelayMs: 10, onError: (e) => errors.push(e) });
    tt.startSpan({ name: 'a' }).end();
    await tt.shutdown({ timeoutMs: 2_000 });
    expect(stub.requests).toHaveLength(1);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ code: 'BATCH_REJECTED', status: 404 });
    expect(errors[0]!.message).toContain(`HTTP 404 from ${endpoint}`);
    expect(errors[0]!.message).toMatch(/TOKENTRACE_ENDPOINT/);
    expect(errors[0]!.message).toMatch(/adds \/graphql/);
    expect(errors[0]!.message).not.toContain('ttk_test');
  });
});
