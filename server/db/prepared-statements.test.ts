import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { prepareHotStatements } from './prepared-statements';

// On a real Postgres connection: hot statements become named prepared statements, at most
// `maxPerConnection` of them; everything else stays unnamed. (PGlite has no pool to wrap.)

const databaseUrl = inject('testDatabaseUrl');

describe.skipIf(!databaseUrl)('prepareHotStatements (Postgres)', () => {
  let pool: pg.Pool;
  beforeAll(() => {
    pool = new pg.Pool({ connectionString: databaseUrl, max: 1 });
    prepareHotStatements(pool, (text) => text.startsWith('/* hot */'), 2);
  });
  afterAll(() => pool.end());

  const preparedNames = async () =>
    (await pool.query<{ name: string; statement: string }>('select name, statement from pg_prepared_statements order by prepare_time')).rows;

  it('prepares a hot statement once and reuses it; leaves other statements unnamed', async () => {
    for (const n of [1, 2, 3]) {
      const res = await pool.query<{ n: number }>('/* hot */ select $1::int as n', [n]);
      expect(res.rows).toEqual([{ n }]);
    }
    await pool.query('select $1::int as cold', [1]);
    const names = await preparedNames();
    expect(names).toHaveLength(1);
    expect(names[0]?.name).toMatch(/^tt_/);
    expect(names[0]?.statement).toBe('/* hot */ select $1::int as n');
  });

  it('names no more than maxPerConnection statements; the rest still run, unnamed', async () => {
    for (const text of ['/* hot */ select $1::int + 1 as n', '/* hot */ select $1::int + 2 as n']) {
      expect((await pool.query(text, [1])).rows).toHaveLength(1);
    }
    expect(await preparedNames()).toHaveLength(2);
  });
});
