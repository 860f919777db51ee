import type { Kysely } from 'kysely';
import { loadModelPrices } from '../db/repositories/model-prices';
import { findProjectModelPrices } from '../db/repositories/project-model-prices';
import type { Database, ProjectModelPriceRow } from '../db/tables';
import { computeCostUsd, createPriceTable, type CacheTokens, type ModelPrice, type PriceTable } from './model-prices';
import { projectPriceRef } from './price-ref';

// The price table lives in the database but is read on every ingested span, so it is held in
// memory: the built-in table reloaded in the background, each project's own prices loaded on
// first use and kept for PROJECT_PRICES_TTL_MS (dropped at once on the instance that changes
// them; other instances see a change within the TTL).

export interface TokenCounts extends CacheTokens {
  promptTokens: number | null;
  completionTokens: number | null;
}

export interface PricedCost {
  /** Null when the cost cannot be known: no price for the model, or no token counts. */
  costUsd: number | null;
  /** The price that applied ('builtin:<id>' or 'project:<uuid>'), for spans.price_ref; null when none did. */
  priceRef: string | null;
  price: ModelPrice | null;
}

/** A project's prices over the built-in table, synchronous per span once loaded. */
export interface ProjectPricer {
  price(model: string, at: Date, tokens: TokenCounts): PricedCost;
}

export interface PriceBook {
  /** Cost from the built-in table only (benchmarks; ingest prices per project through forProject). */
  costFor(model: string, at: Date, promptTokens: number | null, completionTokens: number | null, cache?: CacheTokens): number | null;
  /** The built-in row that applies to `model` at `at`. */
  findBuiltIn(model: string, at: Date): ModelPrice | undefined;
  /**
   * The pricer ingest's price stage should use: one await per batch, then `price()` per span.
   * A project price applies from its effective date; before it, and for models it does not
   * name, the built-in table does.
   */
  forProject(projectId: string): Promise<ProjectPricer>;
  /** Forgets a project's cached prices (after they changed on this instance). */
  invalidateProject(projectId: string): void;
  reload(): Promise<void>;
  /**
   * Compiles the built-in table's patterns in the background `delayMs` from now (an unreferenced
   * timer; stop() cancels it). The server calls it once listening (server/cli.ts): compiled at
   * once, they competed with the start's own work for the CPU. Until then a lookup compiles the
   * patterns it needs itself, so prices are the same either way.
   */
  warmUpAfter(delayMs: number): void;
  stop(): void;
}

export const PROJECT_PRICES_TTL_MS = 30_000;
const PROJECT_CACHE_LIMIT = 1_000;

export function toProjectModelPrice(row: ProjectModelPriceRow): ModelPrice {
  const num = (v: unknown) => (v === null || v === undefined ? null : Number(v));
  return {
    ref: projectPriceRef(row.id),
    provider: 'project',
    model: row.model,
    matchType: row.match_type,
    inputUsdPerMillion: Number(row.input_usd_per_million),
    outputUsdPerMillion: Number(row.output_usd_per_million),
    cachedInputUsdPerMillion: num(row.cached_input_usd_per_million),
    cacheWriteUsdPerMillion: num(row.cache_write_usd_per_million),
    perRequestUsd: num(row.per_request_usd),
    source: null,
    effectiveFrom: new Date(row.effective_from),
  };
}

/** Prices a span against an optional project table, then the built-in one. */
export function priceWith(project: PriceTable | null, builtIn: PriceTable, model: string, at: Date, tokens: TokenCounts): PricedCost {
  const price = project?.find(model, at) ?? builtIn.find(model, at);
  const costUsd = computeCostUsd(price, tokens.promptTokens, tokens.completionTokens, tokens);
  return { costUsd, priceRef: costUsd === null ? null : (price?.ref ?? null), price: costUsd === null ? null : (price ?? null) };
}

export interface PriceBookOptions {
  /** How often the built-in table is read again. @default 5 minutes */
  refreshMs?: number;
  /** Makes each table (tests watch them). @default createPriceTable */
  createTable?: typeof createPriceTable;
}

export async function createPriceBook(db: Kysely<Database>, options: PriceBookOptions = {}): Promise<PriceBook> {
  const { refreshMs = 5 * 60_000, createTable = createPriceTable } = options;
  // Patterns compile in the background (PriceTable.warmUp): ingest compiles any it needs sooner.
  // The first table's wait for warmUpAfter (the server's start); a reloaded one's start at once.
  let table: PriceTable = createTable(await loadModelPrices(db));
  const reload = async () => {
    const loaded = createTable(await loadModelPrices(db));
    void loaded.warmUp();
    table = loaded;
  };
  const timer = setInterval(() => void reload().catch(() => {}), refreshMs);
  timer.unref();
  let warmUpTimer: NodeJS.Timeout | undefined;

  const projects = new Map<string, { loadedAt: number; table: Promise<PriceTable | null> }>();
  const projectTable = (projectId: string): Promise<PriceTable | null> => {
    const cached = projects.get(projectId);
    if (cached && Date.now() - cached.loadedAt < PROJECT_PRICES_TTL_MS) return cached.table;
    const loading = findProjectModelPrices(db, projectId).then((rows) =>
      rows.length === 0 ? null : createPriceTable(rows.map(toProjectModelPrice), { beforeFirstRow: 'none' }),
    );
    // A failed load is not kept: the next batch tries again.
    loading.catch(() => projects.delete(projectId));
    if (projects.size >= PROJECT_CACHE_LIMIT) projects.delete(projects.keys().next().value!);
    projects.set(projectId, { loadedAt: Date.now(), table: loading });
    return loading;
  };

  return {
    costFor: (model, at, promptTokens, completionTokens, cache) => computeCostUsd(table.find(model, at), promptTokens, completionTokens, cache),
    findBuiltIn: (model, at) => table.find(model, at),
    async forProject(projectId) {
      const own = await projectTable(projectId);
      const builtIn = table;
      return { price: (model, at, tokens) => priceWith(own, builtIn, model, at, tokens) };
    },
    invalidateProject: (projectId) => void projects.delete(projectId),
    reload,
    warmUpAfter(delayMs) {
      clearTimeout(warmUpTimer);
      warmUpTimer = setTimeout(() => void table.warmUp(), delayMs);
      warmUpTimer.unref();
    },
    stop: () => {
      clearInterval(timer);
      clearTimeout(warmUpTimer);
    },
  };
}
