import type { Kysely } from 'kysely';
import type { ModelPrice } from '../../prices/model-prices';
import type { Database } from '../tables';

// Ordered by id because the price table lets the earliest-added pattern win when patterns overlap.
export async function loadModelPrices(db: Kysely<Database>): Promise<ModelPrice[]> {
  const rows = await db
    .selectFrom('model_prices')
    .select(['provider', 'model', 'match_type', 'input_usd_per_million', 'output_usd_per_million', 'effective_from'])
    .orderBy('id')
    .execute();
  return rows.map((row) => ({
    provider: row.provider,
    model: row.model,
    matchType: row.match_type,
    // Number() and new Date() because drivers differ (pg, PGlite) in what they hand back.
    inputUsdPerMillion: Number(row.input_usd_per_million),
    outputUsdPerMillion: Number(row.output_usd_per_million),
    effectiveFrom: new Date(row.effective_from),
  }));
}
