import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config';
import { DEFAULT_DATA_DIR, embeddedDataDir, usesEmbeddedDatabase } from './config-early';

// The start's warm-up reads DATABASE_URL and TOKENTRACE_DATA_DIR before the configuration loads
// (config-early.ts): it must open the database loadConfig will name, and nothing when loadConfig
// refuses the value.

/** What loadConfig makes of one variable: its reading, or 'refused' when it names that variable. */
function loaded<K extends 'databaseUrl' | 'dataDir'>(name: string, value: string | undefined, key: K): string | undefined | 'refused' {
  try {
    return loadConfig(value === undefined ? {} : { [name]: value })[key];
  } catch (err) {
    if (err instanceof ConfigError && err.message.includes(`\n  ${name}: `)) return 'refused';
    throw err;
  }
}

const VALUES = [undefined, '', ' ', '\t\n', 'postgres://u@h/db', '  postgresql://u@h/db  ', 'mysql://h/db', 'localhost:5432/tt', './data', ' ./data ', 'memory://', '/srv/tokentrace'];

describe('config-early (the start warm-up, before the configuration loads)', () => {
  it.each(VALUES)('DATABASE_URL=%j: embedded exactly when loadConfig reads no Postgres URL', (value) => {
    const config = loaded('DATABASE_URL', value, 'databaseUrl');
    expect(usesEmbeddedDatabase(value === undefined ? {} : { DATABASE_URL: value })).toBe(config === undefined);
  });

  it.each(VALUES)('TOKENTRACE_DATA_DIR=%j: the folder loadConfig reads, or none when it refuses it', (value) => {
    const config = loaded('TOKENTRACE_DATA_DIR', value, 'dataDir');
    expect(embeddedDataDir(value === undefined ? {} : { TOKENTRACE_DATA_DIR: value })).toBe(config === 'refused' ? undefined : config);
  });

  it('reads the documented rules', () => {
    expect(usesEmbeddedDatabase({})).toBe(true);
    expect(usesEmbeddedDatabase({ DATABASE_URL: '  ' })).toBe(true);
    expect(usesEmbeddedDatabase({ DATABASE_URL: 'postgres://u@h/db' })).toBe(false);
    // A wrong value warms nothing up; loadConfig then stops the start naming it.
    expect(usesEmbeddedDatabase({ DATABASE_URL: 'mysql://h/db' })).toBe(false);
    expect(embeddedDataDir({})).toBe(DEFAULT_DATA_DIR);
    expect(embeddedDataDir({ TOKENTRACE_DATA_DIR: '' })).toBeUndefined();
    expect(embeddedDataDir({ TOKENTRACE_DATA_DIR: ' a folder ' })).toBe(' a folder ');
  });
});
