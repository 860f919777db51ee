import { RE2JS } from 're2js';

export interface ModelPrice {
  /** Which row this is: 'builtin:<id>' or 'project:<uuid>' (price-ref.ts); absent in hand-made tables. */
  ref?: string;
  provider: string;
  model: string;
  matchType: 'exact' | 'pattern';
  inputUsdPerMillion: number;
  outputUsdPerMillion: number;
  /** Cache reads; null or absent: billed at the input price. */
  cachedInputUsdPerMillion?: number | null;
  /** Cache writes (Anthropic's cache creation); null or absent: billed at the input price. */
  cacheWriteUsdPerMillion?: number | null;
  /** A fixed price per call, on top of tokens. */
  perRequestUsd?: number | null;
  /** Where a built-in price was published. */
  source?: string | null;
  effectiveFrom: Date;
}

/**
 * Cached-input token counts of a span. Both are parts of promptTokens (OpenAI's convention:
 * prompt_tokens includes cached_tokens); a sender whose provider counts them apart (Anthropic's
 * input_tokens excludes cache reads and writes) adds them into promptTokens.
 */
export interface CacheTokens {
  cacheReadTokens?: number | null;
  cacheWriteTokens?: number | null;
}

export interface PriceTableOptions {
  /**
   * For a span older than a name's first row: 'first' prices it at that row (the built-in table:
   * a row dated at launch should still price a span stamped slightly before), 'none' leaves it to
   * the next table (a project's price starts on its date and not before).
   * @default 'first'
   */
  beforeFirstRow?: 'first' | 'none';
}

export interface PriceTable {
  /** The price that applied to `model` at `at`, or undefined when no row matches the name. */
  find(model: string, at: Date): ModelPrice | undefined;
  /**
   * Compiles the patterns not compiled yet, one per turn of the event loop (a lookup compiles what
   * it needs itself). The server calls it ≈ 2 s after it listens (PriceBook.warmUpAfter), so a
   * start neither waits for RE2 to compile every pattern (≈ 0.25 s for the built-in table on a
   * 2-core machine) nor shares the CPU with it.
   */
  warmUp(): Promise<void>;
}

// Ingest looks a price up per span; distinct model names are few in practice, but they come from
// clients, so the cache must stay bounded however many junk names arrive.
const CACHE_LIMIT = 1_000;

const NO_ROWS: readonly ModelPrice[] = [];

interface PatternGroup {
  source: string;
  /** Compiled on first use; null when RE2 refused the pattern (it then matches nothing). */
  regex?: { test(text: string): boolean } | null;
  rows: readonly ModelPrice[];
}

function groupMatches(group: PatternGroup, key: string): boolean {
  if (group.regex === undefined) group.regex = compileAnchored(group.source) ?? null;
  return group.regex?.test(key) ?? false;
}

export function createPriceTable(prices: ModelPrice[], options: PriceTableOptions = {}): PriceTable {
  const beforeFirstRow = options.beforeFirstRow ?? 'first';
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
  for (const [source, rows] of bySource) patterns.push({ source, rows: sortByEffectiveFrom(rows) });

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
    const rows = exact.get(key) ?? patterns.find((group) => groupMatches(group, key))?.rows ?? NO_ROWS;
    if (cache.size >= CACHE_LIMIT) {
      const oldest = cache.keys().next();
      if (!oldest.done) cache.delete(oldest.value);
    }
    cache.set(key, rows);
    return rows;
  }

  return {
    find(model, at) {
      return pickEffective(candidates(model), at, beforeFirstRow);
    },
    async warmUp() {
      for (const group of patterns) {
        if (group.regex !== undefined) continue;
        await new Promise((resolve) => setImmediate(resolve));
        group.regex ??= compileAnchored(group.source) ?? null;
      }
    },
  };
}

/**
 * Cost in USD, or null when it cannot be known (no price, or no token counts at all) so that
 * "unpriced" never reads as "free". Cache reads and writes are parts of promptTokens (see
 * CacheTokens) billed at their own rates; counts above promptTokens are capped to it.
 */
export function computeCostUsd(
  price: ModelPrice | undefined,
  promptTokens: number | null,
  completionTokens: number | null,
  cache: CacheTokens = {},
): number | null {
  if (!price) return null;
  const perRequest = price.perRequestUsd ?? 0;
  if (promptTokens === null && completionTokens === null) {
    // A price of so much per call and nothing per token needs no counts; any other price does.
    const perCallOnly = perRequest > 0 && price.inputUsdPerMillion === 0 && price.outputUsdPerMillion === 0;
    return perCallOnly ? perRequest : null;
  }
  const prompt = promptTokens ?? 0;
  const cacheRead = Math.min(Math.max(cache.cacheReadTokens ?? 0, 0), prompt);
  const cacheWrite = Math.min(Math.max(cache.cacheWriteTokens ?? 0, 0), prompt - cacheRead);
  const uncached = prompt - cacheRead - cacheWrite;
  const perMillion =
    uncached * price.inputUsdPerMillion +
    cacheRead * (price.cachedInputUsdPerMillion ?? price.inputUsdPerMillion) +
    cacheWrite * (price.cacheWriteUsdPerMillion ?? price.inputUsdPerMillion) +
    (completionTokens ?? 0) * price.outputUsdPerMillion;
  // Per-token prices are tiny fractions; rounding keeps sums and displays free of binary noise.
  return Math.round((perMillion / 1_000_000 + perRequest) * 1e10) / 1e10;
}

/** Whether a row prices `model`: its exact name (ignoring case) or its anchored pattern. */
export function matchesModel(price: Pick<ModelPrice, 'model' | 'matchType'>, model: string): boolean {
  if (price.matchType === 'exact') return price.model.toLowerCase() === model.toLowerCase();
  return compileAnchored(price.model)?.test(model) ?? false;
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
// Case-insensitive to agree with exact matching. Matched by RE2 (re2js), like redaction's custom
// patterns: a project admin writes the pattern and any ingest key names the model it runs on, so
// matching must stay linear in the model name whatever the pattern. A row that RE2 cannot compile
// is one bad price row, not a reason to stop costing every other span.
function compileAnchored(source: string): { test(text: string): boolean } | undefined {
  try {
    const re = RE2JS.compile(`^(?:${source})$`, RE2JS.CASE_INSENSITIVE);
    return { test: (text) => re.matches(text) };
  } catch {
    return undefined;
  }
}

// Rows are sorted oldest first. In the built-in table a span stamped before the first row (clock
// skew, a row added with the launch day as its date) still gets that first price rather than none.
function pickEffective(rows: readonly ModelPrice[], at: Date, beforeFirstRow: 'first' | 'none'): ModelPrice | undefined {
  const time = at.getTime();
  if (Number.isNaN(time)) return rows[rows.length - 1];
  for (let i = rows.length - 1; i >= 0; i--) {
    const row = rows[i];
    if (row && row.effectiveFrom.getTime() <= time) return row;
  }
  return beforeFirstRow === 'first' ? rows[0] : undefined;
}
