import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import { readMemoryTemplate } from '../testing/memory-template';
import { createDb, embeddedWorkerOf, type DbHandle } from './create-db';
import { LOCK_FILE_NAME } from './data-dir-lock';
import { EMBEDDED_SETTINGS } from './embedded-database';
import { openPgliteWorker, type PgliteWorkerClient } from './pglite-worker-client';
import { pingDatabase } from './repositories/database-state';

// The embedded database in its worker thread (pglite-worker-client.ts) answers as PGlite in the
// same thread does: the same rows (values through the structured clone), the same errors with the
// same own properties, transactions, close and reopen on the same folder, dumpDataDir. And when
// the thread dies, queries fail with an error that says so instead of waiting forever.
// Always PGlite, whichever database the rest of the pass uses.

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const SLOW = 120_000;
const work = mkdtempSync(join(tmpdir(), 'tokentrace-pglite-worker-'));
let folders = 0;
/** A new data folder (TOKENTRACE_DATA_DIR) under the test's own temp folder. */
const newFolder = () => join(work, `db-${++folders}`);

let template: Blob | undefined;
beforeAll(async () => {
  const path = inject('memoryTemplatePath');
  template = path ? await readMemoryTemplate(path) : undefined;
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** The same statements through the worker's client and through PGlite in this thread. */
describe('the client answers as PGlite does', () => {
  let worker: PgliteWorkerClient;
  let local: PGlite;
  beforeAll(async () => {
    worker = openPgliteWorker({ dataDir: undefined, settings: EMBEDDED_SETTINGS, template: undefined });
    local = await PGlite.create({ startParams: [...PGlite.defaultStartParams, ...EMBEDDED_SETTINGS] });
    await worker.opened;
    for (const db of [worker, local]) await db.query('create table t (id int primary key, b bytea, d timestamptz, j jsonb, tags text[], n int8, note text)');
  }, SLOW);
  afterAll(async () => {
    await worker?.close();
    await local?.close();
  });

  const both = async (text: string, params?: unknown[]) => {
    const [a, b] = await Promise.all([worker.query(text, params), local.query(text, params)]);
    expect(a).toEqual({ rows: b.rows, fields: b.fields, affectedRows: b.affectedRows });
    return a;
  };

  it('binds bytea (Buffer and Uint8Array), Date, jsonb, arrays, bigint and null, and reads them back the same', async () => {
    const when = new Date('2026-11-30T12:34:56.789Z');
    const insert = await both('insert into t (id, b, d, j, tags, n, note) values ($1, $2, $3, $4, $5, $6, $7), ($8, $9, $10, $11, $12, $13, $14)', [
      1, Buffer.from([0, 1, 2, 255]), when, JSON.stringify({ a: [1, { b: null }], s: 'é' }), ['x', 'y,z', ''], 9007199254740993n, null,
      2, new Uint8Array([7, 8]), new Date(0), { as: 'object' }, [], -1, 'two',
    ]);
    expect(insert.affectedRows).toBe(2);
    const read = await both('select * from t order by id');
    const [first, second] = read.rows as Record<string, unknown>[];
    expect(first!.b).toBeInstanceOf(Uint8Array);
    expect(Buffer.from(first!.b as Uint8Array)).toEqual(Buffer.from([0, 1, 2, 255]));
    expect(first!.d).toEqual(when);
    expect(first!.j).toEqual({ a: [1, { b: null }], s: 'é' });
    expect(first!.tags).toEqual(['x', 'y,z', '']);
    expect(first!.note).toBeNull();
    expect(second!.j).toEqual({ as: 'object' });
    // A Buffer parameter compares as bytea after the clone made it a plain Uint8Array.
    const found = await both('select id from t where b = $1::bytea', [Buffer.from([7, 8])]);
    expect(found.rows).toEqual([{ id: 2 }]);
    expect((await both('update t set note = $1 where id > $2', ['n', 0])).affectedRows).toBe(2);
  });

  it('rejects with the error PGlite throws: message and every own property (code, detail, constraint, …)', async () => {
    const [a, b] = await Promise.all([
      worker.query('insert into t (id) values ($1)', [1]).then(() => undefined, (err: unknown) => err as Error),
      local.query('insert into t (id) values ($1)', [1]).then(() => undefined, (err: unknown) => err as Error),
    ]);
    expect(a).toBeInstanceOf(Error);
    expect(b).toBeInstanceOf(Error);
    expect(a!.message).toBe(b!.message);
    expect((a as Error & { code?: string }).code).toBe('23505');
    const own = (err: Error) =>
      Object.getOwnPropertyNames(err)
        .filter((name) => name !== 'stack')
        .map((name) => [name, (err as unknown as Record<string, unknown>)[name], Object.getOwnPropertyDescriptor(err, name)!.enumerable]);
    expect(own(a!)).toEqual(own(b!).filter(([, value]) => typeof value !== 'function'));
    expect(a!.stack).toMatch(/duplicate key value violates unique constraint "t_pkey"/);
    // A syntax error carries its position.
    const syntax = await worker.query('selec 1').catch((err: unknown) => err as Error & { position?: string; code?: string });
    expect(syntax).toMatchObject({ code: '42601', position: '1' });
  });

  it("rejects with a stack that has the caller's frames after the worker's, and the same own properties", async () => {
    async function insertTwiceFromHere() {
      return worker.query('insert into t (id) values ($1)', [1]);
    }
    const err = (await insertTwiceFromHere().catch((e: unknown) => e)) as Error & { code?: string; constraint?: string };
    expect(err.stack).toMatch(/^error: duplicate key value violates unique constraint "t_pkey"\n    at /);
    const frames = err.stack!.split('\n').slice(1);
    expect(frames.every((line) => line.startsWith('    at '))).toBe(true);
    const caller = frames.findIndex((line) => line.includes('insertTwiceFromHere'));
    expect(caller).toBeGreaterThan(0); // the worker's frames first
    expect(frames.slice(caller).some((line) => line.includes('pglite-worker.test.ts'))).toBe(true);
    expect(frames.slice(0, caller).some((line) => line.includes('pglite'))).toBe(true);
    expect(err).toMatchObject({ message: 'duplicate key value violates unique constraint "t_pkey"', code: '23505', constraint: 't_pkey' });
    expect(Object.getOwnPropertyDescriptor(err, 'stack')!.enumerable).toBe(false);
  });

  it('keeps answering in order after an error, with queries sent together', async () => {
    const results = await Promise.allSettled([worker.query('select 1 as one'), worker.query('select * from nowhere'), worker.query('select 2 as two')]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((results[2] as PromiseFulfilledResult<{ rows: unknown[] }>).value.rows).toEqual([{ two: 2 }]);
  });

  it('refuses a parameter the structured clone cannot carry, and goes on', async () => {
    await expect(worker.query('select $1::text', [() => 'x'])).rejects.toThrow(/could not be cloned/);
    expect((await worker.query('select 3 as three')).rows).toEqual([{ three: 3 }]);
  });
});

describe('createDb on a folder: PGlite in its worker thread', () => {
  let folder: string;
  let handle: DbHandle;
  beforeAll(async () => {
    folder = newFolder();
    handle = await createDb({ dataDir: folder, template });
  }, SLOW);
  afterAll(async () => {
    await handle?.close();
  });

  it('holds the folder lock while open', () => {
    expect(readFileSync(join(folder, LOCK_FILE_NAME), 'utf8')).toBe(`${process.pid}\ntokentrace server\n`);
  });

  it('rolls back a failed transaction, and commits a good one', async () => {
    await sql`create table kv (k text primary key, v bytea)`.execute(handle.db);
    await expect(
      handle.db.transaction().execute(async (tx) => {
        await sql`insert into kv values ('gone', ${Buffer.from('x')})`.execute(tx);
        await sql`insert into kv values ('gone', ${Buffer.from('y')})`.execute(tx); // unique violation
      }),
    ).rejects.toMatchObject({ code: '23505' });
    await handle.db.transaction().execute(async (tx) => {
      await sql`insert into kv values ('kept', ${Buffer.from('kept bytes')})`.execute(tx);
    });
    const rows = await sql<{ k: string; v: Uint8Array }>`select k, v from kv`.execute(handle.db);
    expect(rows.rows.map((r) => [r.k, Buffer.from(r.v).toString()])).toEqual([['kept', 'kept bytes']]);
    const updated = await sql`update kv set v = ${new Uint8Array([1])} where k = 'kept'`.execute(handle.db);
    expect(updated.numAffectedRows).toBe(1n);
  });

  it('dumps its data directory, which another database starts from', async () => {
    const dump = await handle.dumpDataDir!();
    expect(dump.size).toBeGreaterThan(1_000_000);
    const copy = await createDb({ dataDir: 'memory://', template: dump });
    try {
      expect((await sql<{ k: string }>`select k from kv`.execute(copy.db)).rows).toEqual([{ k: 'kept' }]);
    } finally {
      await copy.close();
    }
  }, SLOW);

  it('closes, releases the lock, and reopens with the data', async () => {
    await handle.close();
    expect(existsSync(join(folder, LOCK_FILE_NAME))).toBe(false);
    handle = await createDb({ dataDir: folder });
    expect((await sql<{ k: string }>`select k from kv`.execute(handle.db)).rows).toEqual([{ k: 'kept' }]);
  }, SLOW);

});

describe('when the worker thread dies', () => {
  it('queries reject with an error that says so (so /readyz fails), and close still releases the lock', async () => {
    const folder = newFolder();
    const failures: Error[] = [];
    const handle = await createDb({ dataDir: folder, template, onEmbeddedFailure: (err) => failures.push(err) });
    await pingDatabase(handle.db);
    const pending = sql`select pg_sleep(0.5)`.execute(handle.db);
    await embeddedWorkerOf(handle)!.terminate(); // what a crash of the thread looks like from here
    await expect(pending).rejects.toThrow("the embedded database's worker thread exited (code 1)");
    await expect(pingDatabase(handle.db)).rejects.toThrow(/worker thread exited/);
    // Reported once (the server logs it), however many queries fail after.
    expect(failures.map((err) => err.message)).toEqual(["the embedded database's worker thread exited (code 1)"]);
    const late: Error[] = [];
    embeddedWorkerOf(handle)!.onUnexpectedEnd((err) => late.push(err));
    expect(late).toHaveLength(1); // a listener that comes after hears of it at once
    await handle.close();
    expect(failures).toHaveLength(1);
    expect(existsSync(join(folder, LOCK_FILE_NAME))).toBe(false);
  }, SLOW);

  it('a database that is closed, or fails to open, reports no unexpected end', async () => {
    const failures: Error[] = [];
    const handle = await createDb({ dataDir: newFolder(), template, onEmbeddedFailure: (err) => failures.push(err) });
    await handle.close();
    const broken = openPgliteWorker({ dataDir: undefined, settings: ['-c', 'no_such_setting=1'], template: undefined });
    broken.onUnexpectedEnd((err) => failures.push(err));
    await expect(broken.opened).rejects.toThrow();
    await broken.close();
    expect(failures).toEqual([]);
  }, SLOW);

  it('a database that fails to open rejects createDb with its error and releases the lock', async () => {
    const folder = newFolder();
    const { mkdirSync, writeFileSync } = await import('node:fs');
    mkdirSync(join(folder, 'pgdata'), { recursive: true });
    writeFileSync(join(folder, 'pgdata', 'PG_VERSION'), 'not a version\n'); // a folder PGlite cannot start
    await expect(createDb({ dataDir: folder })).rejects.toThrow();
    expect(existsSync(join(folder, LOCK_FILE_NAME))).toBe(false);
  }, SLOW);
});

it('an idle open database does not keep a process alive; one waiting on a query does', async () => {
  // A child that opens a database, reads from it after a pause with nothing else pending, prints
  // the row and never closes: it must print (the query held the process) and then exit by itself.
  const folder = newFolder();
  const templatePath = inject('memoryTemplatePath');
  const script = [
    `import { readFileSync } from 'node:fs';`,
    `import { sql } from 'kysely';`,
    `import { createDb } from './server/db/create-db.ts';`,
    `const path = ${JSON.stringify(templatePath ?? null)};`,
    `const h = await createDb({ dataDir: ${JSON.stringify(folder)}, template: path ? new Blob([readFileSync(path)]) : undefined });`,
    `const r = await sql\`select 41 + 1 as answer\`.execute(h.db);`,
    `console.log(JSON.stringify(r.rows));`,
  ].join('\n');
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  expect(output).toContain('[{"answer":42}]');
  expect(code).toBe(0);
}, SLOW);
