import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, expect, it } from 'vitest';
import { createTestApp } from '../testing/test-app';
import { embeddedWorkerOf } from './create-db';
import { pingDatabase } from './repositories/database-state';

// The server's embedded database in its worker thread: when the thread ends unexpectedly, every
// query fails from then on (GET /readyz answers 503), and the log says why, in one line.

const work = mkdtempSync(join(tmpdir(), 'tokentrace-embedded-failure-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

it('logs one error line when the worker thread dies, however many queries fail after', async () => {
  const lines: string[] = [];
  const logger = pino({ level: 'error' }, { write: (line: string) => void lines.push(line) });
  const t = await createTestApp({ DATABASE_URL: '', TOKENTRACE_DATA_DIR: join(work, 'data') }, { logger });
  try {
    await embeddedWorkerOf(t.app.dbHandle)!.terminate(); // what a crash of the thread looks like from here
    for (let i = 0; i < 3; i++) await expect(pingDatabase(t.app.dbHandle.db)).rejects.toThrow(/worker thread exited/);
    expect(lines).toHaveLength(1);
    const line = JSON.parse(lines[0]!) as { level: number; msg: string; err: { message: string } };
    expect(line).toMatchObject({ level: 50, err: { message: "the embedded database's worker thread exited (code 1)" } });
    expect(line.msg).toMatch(/embedded database stopped/);
  } finally {
    await t.close();
  }
  expect(lines).toHaveLength(1); // closing says nothing more
}, 120_000);
