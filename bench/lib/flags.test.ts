import { afterEach, describe, expect, it } from 'vitest';
import { benchDatabase, positiveInt } from './flags';

describe('bench flags', () => {
  const saved = { bench: process.env.BENCH_DATABASE_URL, db: process.env.DATABASE_URL };
  afterEach(() => {
    for (const [key, value] of [['BENCH_DATABASE_URL', saved.bench], ['DATABASE_URL', saved.db]] as const) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  });

  it('takes whole numbers from 1, the fallback when absent, and refuses the rest by name', () => {
    expect(positiveInt('batch', '100', 7)).toBe(100);
    expect(positiveInt('batch', undefined, 7)).toBe(7);
    for (const bad of ['0', '-3', '1.5', 'ten', '']) expect(() => positiveInt('batch', bad, 7)).toThrow(/--batch must be a positive integer/);
    expect(() => positiveInt('spans', undefined)).toThrow('--spans is required');
  });

  it('picks Postgres only with a server URL, and says which variable is missing', () => {
    delete process.env.BENCH_DATABASE_URL;
    delete process.env.DATABASE_URL;
    expect(benchDatabase(undefined)).toEqual({ kind: 'pglite' });
    expect(() => benchDatabase('postgres')).toThrow(/BENCH_DATABASE_URL/);
    expect(() => benchDatabase('mysql')).toThrow('--db must be pglite or postgres, got mysql');
    process.env.DATABASE_URL = 'postgres://u@h/db';
    expect(benchDatabase(undefined)).toEqual({ kind: 'postgres', serverUrl: 'postgres://u@h/db' });
    expect(benchDatabase(undefined, 'pglite')).toEqual({ kind: 'pglite' });
    process.env.BENCH_DATABASE_URL = 'postgres://b@h/bench';
    expect(benchDatabase('postgres').serverUrl).toBe('postgres://b@h/bench');
  });
});
