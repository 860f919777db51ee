import type { Kysely } from 'kysely';
import type { Database, ProjectModelPriceRow } from '../tables';

type Db = Kysely<Database>;

/** A project's prices, oldest first (the order patterns are tried in); archived ones only when asked. */
export function findProjectModelPrices(db: Db, projectId: string, includeArchived = false): Promise<ProjectModelPriceRow[]> {
  let q = db.selectFrom('project_model_prices').selectAll().where('project_id', '=', projectId);
  if (!includeArchived) q = q.where('archived_at', 'is', null);
  return q.orderBy('created_at').orderBy('id').execute();
}

export function findProjectModelPrice(db: Db, projectId: string, id: string): Promise<ProjectModelPriceRow | undefined> {
  return db.selectFrom('project_model_prices').selectAll().where('project_id', '=', projectId).where('id', '=', id).executeTakeFirst();
}

export function findProjectModelPricesByIds(db: Db, ids: readonly string[]): Promise<ProjectModelPriceRow[]> {
  if (ids.length === 0) return Promise.resolve([]);
  return db.selectFrom('project_model_prices').selectAll().where('id', 'in', [...ids]).execute();
}

export interface NewProjectModelPrice {
  projectId: string;
  model: string;
  matchType: 'exact' | 'pattern';
  inputUsdPerMillion: number;
  cachedInputUsdPerMillion: number | null;
  cacheWriteUsdPerMillion: number | null;
  outputUsdPerMillion: number;
  perRequestUsd: number | null;
  effectiveFrom: Date;
  createdBy: string | null;
}

/** Archives the active row with the same name (or pattern) and date, if any, and returns it: a price is replaced, never edited. */
export function archiveSameKey(db: Db, p: Pick<NewProjectModelPrice, 'projectId' | 'model' | 'matchType' | 'effectiveFrom'>, by: string | null): Promise<ProjectModelPriceRow | undefined> {
  return db
    .updateTable('project_model_prices')
    .set({ archived_at: new Date(), archived_by: by })
    .where('project_id', '=', p.projectId)
    .where((eb) => eb(eb.fn('lower', ['model']), '=', p.model.toLowerCase()))
    .where('match_type', '=', p.matchType)
    .where('effective_from', '=', p.effectiveFrom)
    .where('archived_at', 'is', null)
    .returningAll()
    .executeTakeFirst();
}

export function insertProjectModelPrice(db: Db, p: NewProjectModelPrice): Promise<ProjectModelPriceRow> {
  return db
    .insertInto('project_model_prices')
    .values({
      project_id: p.projectId,
      model: p.model,
      match_type: p.matchType,
      input_usd_per_million: p.inputUsdPerMillion,
      cached_input_usd_per_million: p.cachedInputUsdPerMillion,
      cache_write_usd_per_million: p.cacheWriteUsdPerMillion,
      output_usd_per_million: p.outputUsdPerMillion,
      per_request_usd: p.perRequestUsd,
      effective_from: p.effectiveFrom,
      created_by: p.createdBy,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export function archiveProjectModelPrice(db: Db, projectId: string, id: string, by: string | null): Promise<ProjectModelPriceRow | undefined> {
  return db
    .updateTable('project_model_prices')
    .set({ archived_at: new Date(), archived_by: by })
    .where('project_id', '=', projectId)
    .where('id', '=', id)
    .where('archived_at', 'is', null)
    .returningAll()
    .executeTakeFirst();
}
