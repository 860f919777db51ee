import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ArrayEncodingError, binaryArray, type ArrayElementType } from './binary-arrays';

// The arrays ingest binds on Postgres (binary-arrays.ts): what Postgres reads back must be what
// was sent, for every element type, NULLs and non-ASCII text included.

describe('binaryArray', () => {
  it('writes the array_recv header: one dimension, the null flag, the element oid, length and lower bound 1', () => {
    const out = binaryArray('integer', [7, null]);
    expect([out.readInt32BE(0), out.readInt32BE(4), out.readUInt32BE(8), out.readInt32BE(12), out.readInt32BE(16)]).toEqual([1, 1, 23, 2, 1]);
    expect([out.readInt32BE(20), out.readInt32BE(24), out.readInt32BE(28)]).toEqual([4, 7, -1]);
    expect(out.length).toBe(32);
  });

  it('refuses a value its type cannot carry instead of writing it', () => {
    expect(() => binaryArray('integer', [2 ** 31])).toThrow(ArrayEncodingError);
    expect(() => binaryArray('integer', [1.5])).toThrow(ArrayEncodingError);
    expect(() => binaryArray('text', [42])).toThrow(ArrayEncodingError);
    expect(() => binaryArray('bytea', ['not bytes'])).toThrow(ArrayEncodingError);
    expect(() => binaryArray('timestamp with time zone', ['yesterday-ish'])).toThrow(ArrayEncodingError);
    expect(() => binaryArray('boolean', ['true'])).toThrow(ArrayEncodingError);
    expect(() => binaryArray('double precision', ['1'])).toThrow(ArrayEncodingError);
  });
});

const databaseUrl = inject('testDatabaseUrl');

describe.skipIf(!databaseUrl)('binaryArray read back by Postgres', () => {
  let client: pg.Client;
  beforeAll(async () => {
    client = new pg.Client({ connectionString: databaseUrl });
    await client.connect();
  });
  afterAll(() => client.end());

  // Each element as Postgres prints it, so the comparison does not depend on pg's type parsers.
  const readBack = async (type: ArrayElementType, values: unknown[]) =>
    (await client.query<{ v: string | null }>(`select v::text as v from unnest($1::${type}[]) with ordinality as u(v, n) order by n`, [binaryArray(type, values)])).rows.map(
      (r) => r.v,
    );

  it('text, NULLs, empty strings and characters beyond ASCII', async () => {
    const values = ['plain', null, '', 'naïve café — 日本語 🚀', 'quote \' and "', undefined];
    expect(await readBack('text', values)).toEqual(['plain', null, '', 'naïve café — 日本語 🚀', 'quote \' and "', null]);
  });

  it('text of every length around the short-text path, with characters beyond ASCII anywhere in it', async () => {
    const values: string[] = [];
    for (const length of [1, 2, 63, 64, 65, 200]) {
      values.push('a'.repeat(length));
      values.push(`${'a'.repeat(length - 1)}é`);
      values.push(`é${'a'.repeat(length - 1)}`);
      values.push(`${'a'.repeat(Math.floor(length / 2))}🚀${'b'.repeat(length)}`);
    }
    // Each element is written as Buffer writes UTF-8, byte for byte, and Postgres reads it so.
    let at = 20;
    const array = binaryArray('text', values);
    for (const value of values) {
      const bytes = Buffer.from(value, 'utf8');
      expect(array.readInt32BE(at)).toBe(bytes.length);
      expect(array.subarray(at + 4, at + 4 + bytes.length).equals(bytes), value).toBe(true);
      at += 4 + bytes.length;
    }
    expect(at).toBe(array.length);
    expect(await readBack('text', values)).toEqual(values);
    expect(await readBack('jsonb', values.map((v) => JSON.stringify(v)))).toEqual(values.map((v) => JSON.stringify(v)));
  });

  it('bytea, byte for byte', async () => {
    const bytes = Buffer.from([0, 1, 2, 254, 255]);
    expect(await readBack('bytea', [bytes, null, Buffer.alloc(0)])).toEqual(['\\x000102feff', null, '\\x']);
  });

  it('jsonb, parsed by Postgres as if sent as text', async () => {
    expect(await readBack('jsonb', ['{"b": [1, 2], "a": "ü"}', null, '"s"'])).toEqual(['{"a": "ü", "b": [1, 2]}', null, '"s"']);
  });

  it('integers to the 32-bit bounds, doubles, booleans', async () => {
    expect(await readBack('integer', [0, -1, 2147483647, -2147483648, null])).toEqual(['0', '-1', '2147483647', '-2147483648', null]);
    expect(await readBack('double precision', [0.1, -2.5e-7, 1e300, null])).toEqual(['0.1', '-2.5e-07', '1e+300', null]);
    expect(await readBack('boolean', [true, false, null])).toEqual(['true', 'false', null]);
  });

  it('timestamps to the millisecond, before and after 2000, from Dates and ISO strings', async () => {
    await client.query(`set timezone = 'UTC'`);
    const values = [new Date('2026-11-30T10:00:00.123Z'), '1999-12-31T23:59:59.999Z', new Date('1970-01-01T00:00:00.000Z'), null];
    expect(await readBack('timestamp with time zone', values)).toEqual([
      '2026-11-30 10:00:00.123+00',
      '1999-12-31 23:59:59.999+00',
      '1970-01-01 00:00:00+00',
      null,
    ]);
  });

  it('an empty array', async () => {
    expect(await readBack('text', [])).toEqual([]);
  });
});
