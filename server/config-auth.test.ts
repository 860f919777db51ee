import { describe, expect, it } from 'vitest';
import { ConfigError, githubApiBase, loadConfig } from './config';

describe('sign-in and transport settings', () => {
  it('configures no provider by default, and a provider only with both its id and secret', () => {
    expect(loadConfig({}).oauth).toEqual({});
    expect(() => loadConfig({ GITHUB_CLIENT_ID: 'x' })).toThrow(/GITHUB_CLIENT_ID and GITHUB_CLIENT_SECRET/);
    expect(() => loadConfig({ GOOGLE_CLIENT_SECRET: 'x' })).toThrow(ConfigError);
    const c = loadConfig({ GITHUB_CLIENT_ID: 'id', GITHUB_CLIENT_SECRET: 's', GOOGLE_CLIENT_ID: 'gid', GOOGLE_CLIENT_SECRET: 'gs' });
    expect(c.oauth.github).toEqual({ clientId: 'id', clientSecret: 's', baseUrl: 'https://github.com', apiBaseUrl: 'https://api.github.com' });
    expect(c.oauth.google).toEqual({ clientId: 'gid', clientSecret: 'gs', issuer: 'https://accounts.google.com' });
  });

  it('derives the GitHub API: api.github.com for github.com, <base>/api/v3 for Enterprise Server', () => {
    expect(githubApiBase('https://github.com')).toBe('https://api.github.com');
    expect(githubApiBase('https://github.example.com')).toBe('https://github.example.com/api/v3');
    const c = loadConfig({ GITHUB_CLIENT_ID: 'i', GITHUB_CLIENT_SECRET: 's', GITHUB_BASE_URL: 'https://ghe.corp.example/' });
    expect(c.oauth.github?.baseUrl).toBe('https://ghe.corp.example');
    expect(c.oauth.github?.apiBaseUrl).toBe('https://ghe.corp.example/api/v3');
  });

  it('keeps GOOGLE_ISSUER exactly as written (issuer comparison is exact) and refuses a non-URL', () => {
    const c = loadConfig({ GOOGLE_CLIENT_ID: 'i', GOOGLE_CLIENT_SECRET: 's', GOOGLE_ISSUER: 'https://tenant.example.com/' });
    expect(c.oauth.google?.issuer).toBe('https://tenant.example.com/');
    expect(() => loadConfig({ GOOGLE_ISSUER: 'not a url' })).toThrow(/GOOGLE_ISSUER/);
  });

  it('reads the proxy flag and the security contact', () => {
    expect(loadConfig({}).tlsTerminatedByProxy).toBe(false);
    expect(loadConfig({ TOKENTRACE_TLS_TERMINATED_BY_PROXY: 'true' }).tlsTerminatedByProxy).toBe(true);
    expect(loadConfig({ TOKENTRACE_SECURITY_CONTACT: ' security@example.org ' }).securityContact).toBe('security@example.org');
  });
});
