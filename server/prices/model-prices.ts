export interface ModelPrice {
  provider: string;
  model: string;
  matchType: 'exact' | 'pattern';
  inputUsdPerMillion: number;
  outputUsdPerMillion: number;
  effectiveFrom: Date;
}

export interface PriceTable {
  /** The price that applied to `model` at `at`, or undefined when no row matches the name. */
  find(model: string, at: Date): ModelPrice | undefined;
}

// Ingest looks a price up per span; distinct model names are few in practice, but they come from
// clients, so the cache must stay bounded however many junk names arrive.
const CACHE_LIMIT = 1_000;

const NO_ROWS: readonly ModelPrice[] = [];

interface PatternGroup {
  regex: RegExp;
  rows: readonly ModelPrice[];
}

export function createPriceTable(prices: ModelPrice[]): PriceTable {
  const exact = new Map<string, ModelPrice[]>();
  const bySource = new Map<string, ModelPrice[]>();
  for (const price of prices) {
    if (price.matchType === 'exact') append(exact, price.model.toLowerCase(), price);
    else append(bySource, price.model, price);
  }
  for (const rows of exact.values()) sortByEffectiveFrom(rows);

  // Rows sharing one pattern are its price history; groups keep the order of their first row, and
  // the first group that matches wins, so overlapping patterns resolve by table order.
  const patterns: PatternGroup[] = [];
  for (const [source, rows] of bySource) {
    const regex = compileAnchored(source);
    if (regex) patterns.push({ regex, rows: sortByEffectiveFrom(rows) });
  }

  // Keyed by the lower-cased name because matching ignores case; holds misses too, since unknown
  // models are as frequent per span as known ones. Map order gives least-recently-used eviction.
  const cache = new Map<string, readonly ModelPrice[]>();

  function candidates(model: string): readonly ModelPrice[] {
    const key = model.toLowerCase();
    const cached = cache.get(key);
    if (cached) {
      cache.delete(key);
      cache.set(key, cached);
      return cached;
    }
    const rows = exact.get(key) ?? patterns.find((group) => group.regex.test(key))?.rows ?? NO_ROWS;
    if (cache.size >= CACHE_LIMIT) {
      const oldest = cache.keys().next();
      if (!oldest.done) cache.delete(oldest.value);
    }
    cache.set(key, rows);
    return rows;
  }

  return {
    find(model, at) {
      return pickEffective(candidates(model), at);
    },
  };
}

/**
 * Cost in USD, or null when it cannot be known (no price, or no token counts at all) so that
 * "unpriced" never reads as "free".
 */
export function computeCostUsd(
  price: ModelPrice | undefined,
  promptTokens: number | null,
  completionTokens: number | null,
): number | null {
  if (!price) return null;
  if (promptTokens === null && completionTokens === null) return null;
  const cost =
    ((promptTokens ?? 0) * price.inputUsdPerMillion + (completionTokens ?? 0) * price.outputUsdPerMillion) / 1_000_000;
  // Per-token prices are tiny fractions; rounding keeps sums and displays free of binary noise.
  return Math.round(cost * 1e10) / 1e10;
}

function append(map: Map<string, ModelPrice[]>, key: string, price: ModelPrice): void {
  const rows = map.get(key);
  if (rows) rows.push(price);
  else map.set(key, [price]);
}

function sortByEffectiveFrom(rows: ModelPrice[]): ModelPrice[] {
  return rows.sort((a, b) => a.effectiveFrom.getTime() - b.effectiveFrom.getTime());
}

// Anchored whatever the row says, so a pattern written as "gpt-4o" cannot price "gpt-4o-mini".
// Case-insensitive to agree with exact matching (and with Postgres `~*`). A row that is not a valid
// JavaScript regex is one bad price row, not a reason to stop costing every other span.
function compileAnchored(source: string): RegExp | undefined {
  try {
    return new RegExp(`^(?:${source})$`, 'i');
  } catch {
    return undefined;
  }
}

// Rows are sorted oldest first. A span stamped before the first row (clock skew, a row added
// with the launch day as its date) still gets that first price rather than none.
function pickEffective(rows: readonly ModelPrice[], at: Date): ModelPrice | undefined {
  const time = at.getTime();
  if (Number.isNaN(time)) return rows[rows.length - 1];
  for (let i = rows.length - 1; i >= 0; i--) {
    const row = rows[i];
    if (row && row.effectiveFrom.getTime() <= time) return row;
  }
  return rows[0];
}
