import { checkCustomPattern } from '../../plugins/redaction/index';
import type { RequestContext } from '../context';
import { loadModelPrices } from '../db/repositories/model-prices';
import {
  archiveProjectModelPrice,
  archiveSameKey,
  findProjectModelPrices,
  insertProjectModelPrice,
  type NewProjectModelPrice,
} from '../db/repositories/project-model-prices';
import type { ProjectModelPriceRow } from '../db/tables';
import { badInput, notFound } from '../errors';
import { matchesModel, type ModelPrice } from '../prices/model-prices';
import { parsePriceRef } from '../prices/price-ref';
import { recordAudit, runAudited } from './audit-log';

// A project's own model prices (ADMIN+ to change, audited) and the built-in table beside them.
//
// History is not rewritten: a span's cost is computed when it is stored, with the price in
// effect at its start time, and stays. A new or changed price applies to spans stored after it
// (including spans stamped earlier, if its date says so). Costs that were unknown can be filled
// in explicitly (span-repricing.ts); a known cost is never changed.

export interface ModelPriceModel {
  projectId: string;
  ref: string;
  source: 'BUILT_IN' | 'PROJECT';
  model: string;
  matchType: 'exact' | 'pattern';
  provider: string | null;
  inputUsdPerMillion: number;
  cachedInputUsdPerMillion: number | null;
  cacheWriteUsdPerMillion: number | null;
  outputUsdPerMillion: number;
  perRequestUsd: number | null;
  effectiveFrom: Date;
  sourceNote: string | null;
  createdById: string | null;
  createdAt: Date | null;
  archivedAt: Date | null;
}

export interface ModelPriceInput {
  model: string;
  matchType?: 'exact' | 'pattern' | null;
  inputUsdPerMillion: number;
  cachedInputUsdPerMillion?: number | null;
  cacheWriteUsdPerMillion?: number | null;
  outputUsdPerMillion: number;
  perRequestUsd?: number | null;
  /** Omitted: from the beginning (the price applies to every span of the model stored from now on). */
  effectiveFrom?: Date | null;
}

/** "From the beginning": before any span can be stamped (ingest refuses spans before 2000). */
export const BEGINNING = new Date('2000-01-01T00:00:00.000Z');
const MAX_PER_MILLION = 100_000;
const MAX_PER_REQUEST = 100;

const num = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

export function projectRowToModel(row: ProjectModelPriceRow): ModelPriceModel {
  return {
    projectId: row.project_id,
    ref: `project:${row.id}`,
    source: 'PROJECT',
    model: row.model,
    matchType: row.match_type,
    provider: null,
    inputUsdPerMillion: Number(row.input_usd_per_million),
    cachedInputUsdPerMillion: num(row.cached_input_usd_per_million),
    cacheWriteUsdPerMillion: num(row.cache_write_usd_per_million),
    outputUsdPerMillion: Number(row.output_usd_per_million),
    perRequestUsd: num(row.per_request_usd),
    effectiveFrom: new Date(row.effective_from),
    sourceNote: null,
    createdById: row.created_by,
    createdAt: row.created_at,
    archivedAt: row.archived_at,
  };
}

export function builtInToModel(projectId: string, p: ModelPrice): ModelPriceModel {
  return {
    projectId,
    ref: p.ref ?? '',
    source: 'BUILT_IN',
    model: p.model,
    matchType: p.matchType,
    provider: p.provider,
    inputUsdPerMillion: p.inputUsdPerMillion,
    cachedInputUsdPerMillion: p.cachedInputUsdPerMillion ?? null,
    cacheWriteUsdPerMillion: p.cacheWriteUsdPerMillion ?? null,
    outputUsdPerMillion: p.outputUsdPerMillion,
    perRequestUsd: p.perRequestUsd ?? null,
    effectiveFrom: p.effectiveFrom,
    sourceNote: p.source ?? null,
    createdById: null,
    createdAt: null,
    archivedAt: null,
  };
}

export async function listProjectPrices(ctx: RequestContext, projectId: string, includeArchived: boolean): Promise<ModelPriceModel[]> {
  return (await findProjectModelPrices(ctx.deps.db, projectId, includeArchived)).map(projectRowToModel);
}

/** The built-in table, or only the rows that price `model` (exact names first, then patterns), oldest first. */
export async function listBuiltInPrices(ctx: RequestContext, projectId: string, model: string | null | undefined): Promise<ModelPriceModel[]> {
  if (model && model.length > 200) throw badInput('model is longer than 200 characters.', { field: 'model' });
  const rows = await loadModelPrices(ctx.deps.db);
  const picked = model ? rows.filter((p) => matchesModel(p, model)) : rows;
  return picked.map((p) => builtInToModel(projectId, p));
}

function rate(value: number | null | undefined, field: string, max: number): number | null {
  if (value === null || value === undefined) return null;
  if (!Number.isFinite(value) || value < 0 || value > max) throw badInput(`${field} must be between 0 and ${max}.`, { field });
  return value;
}

/** A price as the repository stores it, before we know who and for which project. */
type ValidPrice = Omit<NewProjectModelPrice, 'projectId' | 'createdBy'>;

function validate(input: ModelPriceInput): ValidPrice {
  const model = input.model.trim();
  const matchType = input.matchType ?? 'exact';
  if (model.length === 0 || model.length > 200) throw badInput('A model name or pattern needs 1 to 200 characters.', { field: 'model' });
  if (matchType === 'pattern') {
    // The same checks as redaction patterns: valid, linear-time, not matching everything.
    const problem = checkCustomPattern(model);
    if (problem) throw badInput(`The pattern cannot be used: ${problem}`, { field: 'model' });
  }
  const effectiveFrom = input.effectiveFrom ?? BEGINNING;
  if (Number.isNaN(effectiveFrom.getTime()) || effectiveFrom < BEGINNING || effectiveFrom.getTime() > Date.now() + 366 * 86_400_000) {
    throw badInput('effectiveFrom must be between 2000-01-01 and a year from now.', { field: 'effectiveFrom' });
  }
  return {
    model,
    matchType,
    inputUsdPerMillion: rate(input.inputUsdPerMillion, 'inputUsdPerMillion', MAX_PER_MILLION) ?? 0,
    cachedInputUsdPerMillion: rate(input.cachedInputUsdPerMillion, 'cachedInputUsdPerMillion', MAX_PER_MILLION),
    cacheWriteUsdPerMillion: rate(input.cacheWriteUsdPerMillion, 'cacheWriteUsdPerMillion', MAX_PER_MILLION),
    outputUsdPerMillion: rate(input.outputUsdPerMillion, 'outputUsdPerMillion', MAX_PER_MILLION) ?? 0,
    perRequestUsd: rate(input.perRequestUsd, 'perRequestUsd', MAX_PER_REQUEST),
    effectiveFrom,
  };
}

const auditFacts = (m: ModelPriceModel) => ({
  model: m.model,
  matchType: m.matchType,
  inputUsdPerMillion: m.inputUsdPerMillion,
  cachedInputUsdPerMillion: m.cachedInputUsdPerMillion,
  cacheWriteUsdPerMillion: m.cacheWriteUsdPerMillion,
  outputUsdPerMillion: m.outputUsdPerMillion,
  perRequestUsd: m.perRequestUsd,
  effectiveFrom: m.effectiveFrom.toISOString(),
});

/** Adds a price; one with the same name (or pattern) and date is replaced (archived), not edited. */
export async function setProjectPrice(ctx: RequestContext, projectId: string, input: ModelPriceInput): Promise<ModelPriceModel> {
  const v = validate(input);
  const by = ctx.actingUserId();
  const created = await runAudited(ctx.deps, async (trx) => {
    const replaced = await archiveSameKey(trx, { projectId, model: v.model, matchType: v.matchType, effectiveFrom: v.effectiveFrom }, by);
    const row = await insertProjectModelPrice(trx, {
      projectId,
      model: v.model,
      matchType: v.matchType,
      inputUsdPerMillion: v.inputUsdPerMillion,
      cachedInputUsdPerMillion: v.cachedInputUsdPerMillion,
      cacheWriteUsdPerMillion: v.cacheWriteUsdPerMillion,
      outputUsdPerMillion: v.outputUsdPerMillion,
      perRequestUsd: v.perRequestUsd,
      effectiveFrom: v.effectiveFrom,
      createdBy: by,
    });
    const model = projectRowToModel(row);
    await recordAudit(trx, ctx, {
      projectId,
      action: 'model_price.set',
      targetType: 'model_price',
      targetId: row.id,
      details: { ...auditFacts(model), ...(replaced ? { replaced: { id: replaced.id, ...auditFacts(projectRowToModel(replaced)) } } : {}) },
    });
    return model;
  });
  ctx.deps.prices.invalidateProject(projectId);
  return created;
}

/** Stops a price from applying to spans stored from now on; spans it costed keep their cost and still name it. */
export async function archiveProjectPrice(ctx: RequestContext, projectId: string, ref: string): Promise<ModelPriceModel> {
  const parsed = parsePriceRef(ref);
  if (parsed?.kind !== 'project') throw notFound('Price');
  const archived = await runAudited(ctx.deps, async (trx) => {
    const row = await archiveProjectModelPrice(trx, projectId, parsed.id, ctx.actingUserId());
    if (!row) throw notFound('Price');
    const model = projectRowToModel(row);
    await recordAudit(trx, ctx, { projectId, action: 'model_price.archive', targetType: 'model_price', targetId: row.id, details: auditFacts(model) });
    return model;
  });
  ctx.deps.prices.invalidateProject(projectId);
  return archived;
}
