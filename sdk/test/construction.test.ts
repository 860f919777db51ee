import { afterEach, describe, expect, it, vi } from 'vitest';
import { Tokentrace } from '../src/index.js';

// Configuration is checked once, at construction: https only, loopback http only by opt-in,
// a missing key disables sending with a single warning instead of throwing.

afterEach(() => {
  vi.unstubAllEnvs();
  vi.restoreAllMocks();
});

describe('endpoint security', () => {
  it.each(['http://tokentrace.example.com/graphql', 'http://10.0.0.5:4000/graphql', 'http://localhost.evil.com/graphql'])('refuses %s even with allowInsecureLocalhost', (endpoint) => {
    expect(() => new Tokentrace({ apiKey: 'ttk_x', endpoint, allowInsecureLocalhost: true })).toThrow(/insecure endpoint.*https/);
  });

  it('refuses loopback http without the explicit opt-in, and says how to opt in', () => {
    expect(() => new Tokentrace({ apiKey: 'ttk_x', endpoint: 'http://localhost:4000/graphql' })).toThrow(/allowInsecureLocalhost: true/);
  });

  it.each(['http://localhost:4000/graphql', 'http://127.0.0.1:4000/graphql', 'http://[::1]:4000/graphql', 'http://127.1.2.3/graphql'])('accepts loopback %s with allowInsecureLocalhost', async (endpoint) => {
    const tt = new Tokentrace({ apiKey: 'ttk_x', endpoint, allowInsecureLocalhost: true });
    expect(tt.enabled).toBe(true);
    await tt.shutdown({ timeoutMs: 1 });
  });

  it('refuses other schemes and URLs with credentials, without echoing the key', () => {
    expect(() => new Tokentrace({ apiKey: 'ttk_secret', endpoint: 'ftp://example.com/graphql' })).toThrow(/https/);
    expect(() => new Tokentrace({ apiKey: 'ttk_secret', endpoint: 'https://user:pw@example.com/graphql' })).toThrow(/credentials/);
    try {
      new Tokentrace({ apiKey: 'ttk_secret', endpoint: 'http://example.com/graphql' });
    } catch (error) {
      expect(String(error)).not.toContain('ttk_secret');
    }
  });

  it('validates numeric options at construction', () => {
    expect(() => new Tokentrace({ apiKey: 'k', endpoint: 'https://x.test/graphql', flushAt: 0 })).toThrow(/flushAt/);
    expect(() => new Tokentrace({ apiKey: 'k', endpoint: 'https://x.test/graphql', maxQueueSize: Number.NaN })).toThrow(/maxQueueSize/);
  });
});

describe('environment defaults', () => {
  it('reads TOKENTRACE_API_KEY and TOKENTRACE_ENDPOINT', async () => {
    vi.stubEnv('TOKENTRACE_API_KEY', 'ttk_from_env');
    vi.stubEnv('TOKENTRACE_ENDPOINT', 'https://tokentrace.example.com/graphql');
    const tt = new Tokentrace();
    expect(tt.enabled).toBe(true);
    await tt.shutdown({ timeoutMs: 1 });
  });

  it('an http:// endpoint from the environment is refused too', () => {
    vi.stubEnv('TOKENTRACE_API_KEY', 'ttk_from_env');
    vi.stubEnv('TOKENTRACE_ENDPOINT', 'http://tokentrace.example.com/graphql');
    expect(() => new Tokentrace()).toThrow(/insecure/);
  });

  it('without a key: disabled, one warning for the process, spans are no-ops, the app still runs', async () => {
    vi.stubEnv('TOKENTRACE_API_KEY', '');
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const a = new Tokentrace({ endpoint: 'https://x.test/graphql' });
    const b = new Tokentrace({ endpoint: 'https://x.test/graphql' });
    expect(a.enabled).toBe(false);
    expect(await a.trace({ name: 't' }, async () => a.generation({ name: 'g' }, () => 'value'))).toBe('value');
    await b.flush();
    await b.shutdown();
    expect(a.stats()).toEqual({ queued: 0, sent: 0, failed: 0, dropped: 0 });
    const tokentraceWarnings = warn.mock.calls.filter((c) => String(c[0]).includes('[tokentrace]'));
    // Each test file gets fresh modules; earlier tests here all had a key.
    expect(tokentraceWarnings).toHaveLength(1);
    expect(String(tokentraceWarnings[0]?.[0])).toMatch(/TOKENTRACE_API_KEY.*disabled/);
  });
});
