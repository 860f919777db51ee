import type { Kysely } from 'kysely';
import type { ModelPrice } from '../../prices/model-prices';
import { builtInPriceRef } from '../../prices/price-ref';
import type { Database, ModelPriceRow } from '../tables';

const num = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

// Ordered by id because the price table lets the earliest-added pattern win when patterns overlap.
export async function loadModelPrices(db: Kysely<Database>): Promise<ModelPrice[]> {
  const rows = await db
    .selectFrom('model_prices')
    .select([
      'id',
      'provider',
      'model',
      'match_type',
      'input_usd_per_million',
      'output_usd_per_million',
      'cached_input_usd_per_million',
      'cache_write_usd_per_million',
      'per_request_usd',
      'source',
      'effective_from',
    ])
    .orderBy('id')
    .execute();
  return rows.map(builtInRowToPrice);
}

type BuiltInRow = Omit<ModelPriceRow, 'created_at'>;

export function builtInRowToPrice(row: BuiltInRow): ModelPrice {
  return {
    ref: builtInPriceRef(row.id),
    provider: row.provider,
    model: row.model,
    matchType: row.match_type,
    // Number() and new Date() because drivers differ (pg, PGlite) in what they hand back.
    inputUsdPerMillion: Number(row.input_usd_per_million),
    outputUsdPerMillion: Number(row.output_usd_per_million),
    cachedInputUsdPerMillion: num(row.cached_input_usd_per_million),
    cacheWriteUsdPerMillion: num(row.cache_write_usd_per_million),
    perRequestUsd: num(row.per_request_usd),
    source: row.source,
    effectiveFrom: new Date(row.effective_from),
  };
}

export async function findBuiltInPricesByIds(db: Kysely<Database>, ids: readonly number[]): Promise<ModelPrice[]> {
  if (ids.length === 0) return [];
  const rows = await db.selectFrom('model_prices').selectAll().where('id', 'in', [...ids]).execute();
  return rows.map(builtInRowToPrice);
}
