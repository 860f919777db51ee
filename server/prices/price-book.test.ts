import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, inject, it, vi } from 'vitest';
import { createDb, type DbHandle } from '../db/create-db';
import { readMemoryTemplate } from '../testing/memory-template';
import { createPriceTable, type PriceTable } from './model-prices';
import { createPriceBook } from './price-book';

// When the built-in table's patterns compile: not while the server starts, but warmUpAfter's delay
// after it listens (server/cli.ts); a reloaded table at once. The tables are the real ones, watched.

let handle: DbHandle;
beforeAll(async () => {
  const path = inject('memoryTemplatePath');
  handle = await createDb({ dataDir: 'memory://', template: path ? await readMemoryTemplate(path) : undefined });
  if (!path) {
    const { migrateToLatest } = await import('../db/migrate');
    await migrateToLatest(handle.db);
  }
}, 60_000);
afterAll(() => handle?.close());

const tables: (PriceTable & { warmUp: ReturnType<typeof vi.fn<() => Promise<void>>> })[] = [];
const createTable: typeof createPriceTable = (...args) => {
  const table = createPriceTable(...args);
  const watched = { ...table, warmUp: vi.fn(() => table.warmUp()) };
  tables.push(watched);
  return watched;
};

// Test files share a worker (vitest.config.ts, isolate: false): a clock left faked here would stall
// the next file's timers.
const realSetTimeout = globalThis.setTimeout;
beforeEach(() => {
  tables.length = 0;
});
afterEach(() => {
  vi.restoreAllMocks();
  vi.useRealTimers();
  expect(globalThis.setTimeout).toBe(realSetTimeout);
});

describe('PriceBook warm-up', () => {
  it('compiles the first table warmUpAfter(ms) later, not when made; prices the same meanwhile', async () => {
    const book = await createPriceBook(handle.db, { createTable });
    expect(tables).toHaveLength(1);
    const at = new Date('2026-11-29T12:00:00Z');
    const cold = book.findBuiltIn('gpt-4o-mini-2024-07-18', at);
    expect(cold).toBeDefined(); // a pattern row, compiled on demand
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] }); // warmUp's own turns (setImmediate) stay real
    book.warmUpAfter(2_000);
    await vi.advanceTimersByTimeAsync(1_999);
    expect(tables[0]!.warmUp).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(1);
    expect(tables[0]!.warmUp).toHaveBeenCalledTimes(1);
    vi.useRealTimers();
    await tables[0]!.warmUp.mock.results[0]!.value;
    expect(book.findBuiltIn('gpt-4o-mini-2024-07-18', at)).toEqual(cold);
    book.stop();
  });

  it('does not keep the process alive for it, and stop() cancels it', async () => {
    const book = await createPriceBook(handle.db, { createTable });
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] }); // warmUp's own turns (setImmediate) stay real
    const setTimeoutSpy = vi.spyOn(globalThis, 'setTimeout');
    book.warmUpAfter(2_000);
    const timer = setTimeoutSpy.mock.results[0]!.value as NodeJS.Timeout;
    setTimeoutSpy.mockRestore();
    expect(timer.hasRef()).toBe(false);
    book.stop();
    await vi.advanceTimersByTimeAsync(5_000);
    expect(tables[0]!.warmUp).not.toHaveBeenCalled();
  });

  it('warms a reloaded table at once', async () => {
    const book = await createPriceBook(handle.db, { createTable });
    await book.reload();
    expect(tables).toHaveLength(2);
    expect(tables[0]!.warmUp).not.toHaveBeenCalled();
    expect(tables[1]!.warmUp).toHaveBeenCalledTimes(1);
    book.stop();
  });
});
