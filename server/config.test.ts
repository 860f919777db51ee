import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config';

// An operator starts tokentrace with a few variables set; everything else must have a safe
// default, and a wrong value must stop the start with a message that names the variable.
// loadConfig gets explicit objects: process.env under vitest has NODE_ENV=test and more.

function configError(env: Record<string, string>): ConfigError {
  try {
    loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error(`loadConfig accepted ${JSON.stringify(env)}`);
}

describe('loadConfig defaults', () => {
  it('listens on 127.0.0.1:4000 with data in ./.tokentrace and PGlite, when nothing is set', () => {
    const config = loadConfig({});
    expect(config.port).toBe(4000);
    expect(config.host).toBe('127.0.0.1');
    expect(config.dataDir).toBe('./.tokentrace');
    expect(config.databaseUrl).toBeUndefined();
    expect(config.publicUrl).toBe('http://localhost:4000');
    expect(config.tls).toBeUndefined();
    expect(config.env).toBe('development');
  });

  it('does not trust proxy headers unless told to', () => {
    expect(loadConfig({}).trustProxy).toBe(false);
    expect(loadConfig({ TRUST_PROXY: 'true' }).trustProxy).toBe(true);
    expect(loadConfig({ TRUST_PROXY: '0' }).trustProxy).toBe(false);
  });

  it('hashes passwords at bcrypt cost 12 outside tests, 4 in tests, and honours an explicit cost', () => {
    expect(loadConfig({}).bcryptCost).toBe(12);
    expect(loadConfig({ NODE_ENV: 'development' }).bcryptCost).toBe(12);
    expect(loadConfig({ NODE_ENV: 'production' }).bcryptCost).toBe(12);
    expect(loadConfig({ NODE_ENV: 'test' }).bcryptCost).toBe(4);
    expect(loadConfig({ NODE_ENV: 'production', TOKENTRACE_BCRYPT_COST: '13' }).bcryptCost).toBe(13);
  });

  it('limits failed sign-ins and keeps sessions 14 days by default', () => {
    const config = loadConfig({});
    expect(config.signInLimits).toEqual({ perEmail: 5, perIp: 30, windowSeconds: 900 });
    expect(config.sessionIdleMs).toBe(14 * 24 * 3600 * 1000);
  });

  it('reads set values, trimming the public URL and ignoring unrelated variables', () => {
    const config = loadConfig({
      PORT: '8080',
      HOST: '0.0.0.0',
      DATABASE_URL: 'postgresql://tt@db:5432/tt',
      TOKENTRACE_PUBLIC_URL: 'https://trace.example.com/',
      TOKENTRACE_TLS_CERT: '/etc/tt/cert.pem',
      TOKENTRACE_TLS_KEY: '/etc/tt/key.pem',
      PATH: '/usr/bin',
      HOME: '/root',
    });
    expect(config.port).toBe(8080);
    expect(config.host).toBe('0.0.0.0');
    expect(config.databaseUrl).toBe('postgresql://tt@db:5432/tt');
    expect(config.publicUrl).toBe('https://trace.example.com');
    expect(config.tls).toEqual({ certFile: '/etc/tt/cert.pem', keyFile: '/etc/tt/key.pem' });
  });

  it('treats an empty value (`PORT=` in a .env file) as unset, not as 0', () => {
    // Number('') is 0: without this, `PORT=` would silently listen on a random port.
    expect(loadConfig({ PORT: '' }).port).toBe(4000);
    expect(loadConfig({ PORT: '  ' }).port).toBe(4000);
    expect(loadConfig({ TOKENTRACE_BCRYPT_COST: '' }).bcryptCost).toBe(12);
    expect(loadConfig({ DATABASE_URL: '' }).databaseUrl).toBeUndefined();
    expect(loadConfig({ TOKENTRACE_SIGNIN_MAX_FAILURES_PER_EMAIL: '' }).signInLimits.perEmail).toBe(5);
  });
});

describe('loadConfig refuses a bad value and names the variable', () => {
  it.each([
    ['PORT', 'abc'],
    ['PORT', '70000'],
    ['PORT', '-1'],
    ['PORT', '80.5'],
    ['DATABASE_URL', 'mysql://x'],
    ['DATABASE_URL', 'localhost:5432/tt'],
    ['TRUST_PROXY', 'maybe'],
    ['NODE_ENV', 'staging'],
    ['LOG_LEVEL', 'verbose'],
    ['TOKENTRACE_PUBLIC_URL', 'ftp://trace.example.com'],
    ['TOKENTRACE_PUBLIC_URL', 'not a url'],
    ['TOKENTRACE_BCRYPT_COST', '3'],
    ['TOKENTRACE_BCRYPT_COST', '20'],
    ['TOKENTRACE_SIGNIN_MAX_FAILURES_PER_EMAIL', '0'],
    ['TOKENTRACE_MAX_BODY_BYTES', 'lots'],
  ])('%s=%s', (name, value) => {
    const err = configError({ [name]: value });
    expect(err.message).toMatch(new RegExp(`^Invalid configuration:\\n  ${name}: \\S`));
  });

  it('TOKENTRACE_TLS_CERT without TOKENTRACE_TLS_KEY, and the other way round', () => {
    const certOnly = configError({ TOKENTRACE_TLS_CERT: '/etc/tt/cert.pem' });
    expect(certOnly.message).toContain('TOKENTRACE_TLS_CERT');
    expect(certOnly.message).toContain('TOKENTRACE_TLS_KEY');
    const keyOnly = configError({ TOKENTRACE_TLS_KEY: '/etc/tt/key.pem' });
    expect(keyOnly.message).toContain('TOKENTRACE_TLS_CERT');
    expect(keyOnly.message).toContain('TOKENTRACE_TLS_KEY');
  });

  it('names every bad variable at once, so the operator fixes them in one go', () => {
    const err = configError({ PORT: 'abc', DATABASE_URL: 'mysql://x', TRUST_PROXY: 'maybe' });
    expect(err.message).toContain('\n  PORT: ');
    expect(err.message).toContain('\n  DATABASE_URL: ');
    expect(err.message).toContain('\n  TRUST_PROXY: ');
    expect(err.message).not.toMatch(/HOST|LOG_LEVEL|TOKENTRACE_DATA_DIR/);
  });

  it('does not echo a rejected database URL, which may hold a password', () => {
    const err = configError({ DATABASE_URL: 'mysql://admin:hunter2-secret@db.internal/tt' });
    expect(err.message).toContain('DATABASE_URL');
    expect(err.message).not.toContain('hunter2-secret');
  });
});
