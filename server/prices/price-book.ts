import type { Kysely } from 'kysely';
import { loadModelPrices } from '../db/repositories/model-prices';
import type { Database } from '../db/tables';
import { computeCostUsd, createPriceTable, type PriceTable } from './model-prices';

// The price table lives in the database but is read on every ingested span, so it is held in
// memory and reloaded in the background.

export interface PriceBook {
  costFor(model: string, at: Date, promptTokens: number | null, completionTokens: number | null): number | null;
  reload(): Promise<void>;
  stop(): void;
}

export async function createPriceBook(db: Kysely<Database>, refreshMs = 5 * 60_000): Promise<PriceBook> {
  let table: PriceTable = createPriceTable(await loadModelPrices(db));
  const reload = async () => {
    table = createPriceTable(await loadModelPrices(db));
  };
  const timer = setInterval(() => void reload().catch(() => {}), refreshMs);
  timer.unref();
  return {
    costFor: (model, at, promptTokens, completionTokens) => computeCostUsd(table.find(model, at), promptTokens, completionTokens),
    reload,
    stop: () => clearInterval(timer),
  };
}
