import type { RequestContext } from '../context';
import { findBuiltInPricesByIds } from '../db/repositories/model-prices';
import { findProjectModelPricesByIds } from '../db/repositories/project-model-prices';
import { findSpanPriceRefs } from '../db/repositories/span-pricing';
import { parsePriceRef } from '../prices/price-ref';
import type { SpanModel } from './models';
import { builtInToModel, projectRowToModel, type ModelPriceModel } from './project-prices';
import { batchedPerRequest } from './request-batch';

// Which price a span's cost came from. The reference is stored with the cost; spans costed
// before references were stored get the built-in row in effect at their time, marked as
// inferred (recordedAtIngest false).

export interface AppliedPriceModel {
  projectId: string;
  price: ModelPriceModel;
  recordedAtIngest: boolean;
}

export async function getAppliedPrice(ctx: RequestContext, span: SpanModel): Promise<AppliedPriceModel | null> {
  if (span.costUsd === null || span.model === null) return null;
  const { projectId } = span;
  const ref = await batchedPerRequest(ctx, `span-price-refs:${projectId}`, (ids: string[]) => findSpanPriceRefs(ctx.deps.db, projectId, ids), null)(span.id);
  const parsed = ref ? parsePriceRef(ref) : null;
  if (parsed?.kind === 'builtin') {
    const price = await batchedPerRequest(ctx, 'builtin-prices', async (ids: number[]) => new Map((await findBuiltInPricesByIds(ctx.deps.db, ids)).map((p) => [Number(p.ref?.split(':')[1]), p])), null)(parsed.id);
    if (price) return { projectId, price: builtInToModel(projectId, price), recordedAtIngest: true };
  } else if (parsed?.kind === 'project') {
    const row = await batchedPerRequest(ctx, 'project-prices', async (ids: string[]) => new Map((await findProjectModelPricesByIds(ctx.deps.db, ids)).map((r) => [r.id, r])), null)(parsed.id);
    // A reference into another project's prices would be a bug: never show that project's row.
    if (row && row.project_id === projectId) return { projectId, price: projectRowToModel(row), recordedAtIngest: true };
  }
  const inferred = ctx.deps.prices.findBuiltIn(span.model, span.startTime);
  return inferred ? { projectId, price: builtInToModel(projectId, inferred), recordedAtIngest: false } : null;
}
