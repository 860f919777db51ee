import { archiveProjectPrice, listBuiltInPrices, listProjectPrices, setProjectPrice, type ModelPriceModel } from '../../server/services/project-prices';
import { getAppliedPrice, type AppliedPriceModel } from '../../server/services/span-price';
import { fillUnpricedSpans, type FillResult } from '../../server/services/span-repricing';
import { clientMadeId } from '../argument-guard';
import { builder } from '../builder';
import { ProjectRef } from './project';
import { SpanRef } from './span';
import { UserRef } from './user';

// Model prices: the built-in table (with its sources), a project's own prices (VIEWER+ to read,
// ADMIN+ to change, audited), and which price costed a span. Costs are computed when a span is
// stored and never rewritten; see server/services/project-prices.ts.

const PriceSourceEnum = builder.enumType('PriceSource', {
  values: {
    BUILT_IN: { description: 'tokentrace’s table of list prices.' },
    PROJECT: { description: 'A price set for this project; it overrides the built-in table from its effective date.' },
  } as const,
});

const PriceMatchEnum = builder.enumType('PriceMatch', {
  values: {
    EXACT: { description: 'The model name, ignoring case.' },
    PATTERN: { description: 'A regular expression matched against the whole model name, ignoring case.' },
  } as const,
});

export const ModelPriceRef = builder.objectRef<ModelPriceModel>('ModelPrice').implement({
  description: 'Prices in USD: per million tokens, and per request.',
  authScopes: (p) => ({ projectViewer: p.projectId }),
  fields: (t) => ({
    id: t.exposeID('ref', { description: '`builtin:<n>` or `project:<uuid>`.' }),
    source: t.expose('source', { type: PriceSourceEnum }),
    model: t.exposeString('model', { description: 'A model name, or a pattern (see match).' }),
    match: t.field({ type: PriceMatchEnum, resolve: (p) => (p.matchType === 'pattern' ? 'PATTERN' : 'EXACT') }),
    provider: t.exposeString('provider', { nullable: true }),
    inputUsdPerMillion: t.exposeFloat('inputUsdPerMillion'),
    cachedInputUsdPerMillion: t.exposeFloat('cachedInputUsdPerMillion', { nullable: true, description: 'Cache reads; null: billed as input.' }),
    cacheWriteUsdPerMillion: t.exposeFloat('cacheWriteUsdPerMillion', { nullable: true, description: 'Cache writes; null: billed as input.' }),
    outputUsdPerMillion: t.exposeFloat('outputUsdPerMillion'),
    perRequestUsd: t.exposeFloat('perRequestUsd', { nullable: true }),
    effectiveFrom: t.expose('effectiveFrom', { type: 'DateTime', description: 'Applies to spans that started at or after this time.' }),
    sourceNote: t.exposeString('sourceNote', { nullable: true, description: 'Where a built-in price was published.' }),
    createdAt: t.expose('createdAt', { type: 'DateTime', nullable: true }),
    createdBy: t.field({
      type: UserRef,
      nullable: true,
      resolve: (p) => p.createdById,
    }),
    archivedAt: t.expose('archivedAt', { type: 'DateTime', nullable: true, description: 'No longer applies to spans stored after this time.' }),
  }),
});

const AppliedPriceRef = builder.objectRef<AppliedPriceModel>('AppliedPrice').implement({
  description: 'The price a span’s cost was computed with.',
  authScopes: (a) => ({ projectViewer: a.projectId }),
  fields: (t) => ({
    price: t.field({ type: ModelPriceRef, resolve: (a) => a.price }),
    recordedAtIngest: t.exposeBoolean('recordedAtIngest', {
      description: 'True when stored with the cost; false when inferred from the built-in table at the span’s time (spans costed before this was recorded).',
    }),
  }),
});

builder.objectField(SpanRef, 'price', (t) =>
  t.field({
    type: AppliedPriceRef,
    nullable: true,
    description: 'Which price gave costUsd; null when the cost is unknown. Changing prices later does not change it.',
    authScopes: (span) => ({ projectViewer: span.projectId }),
    resolve: (span, _args, ctx) => getAppliedPrice(ctx, span),
  }),
);

builder.objectFields(ProjectRef, (t) => ({
  modelPrices: t.field({
    type: [ModelPriceRef],
    description: 'VIEWER+. The project’s own prices, oldest first.',
    authScopes: (project) => ({ projectViewer: project.id }),
    args: { includeArchived: t.arg.boolean({ defaultValue: false }) },
    resolve: (project, args, ctx) => listProjectPrices(ctx, project.id, args.includeArchived ?? false),
  }),
  builtInModelPrices: t.field({
    type: [ModelPriceRef],
    description: 'VIEWER+. The built-in table with sources and dates; with `model`, only the rows that price that name.',
    authScopes: (project) => ({ projectViewer: project.id }),
    args: { model: t.arg.string() },
    resolve: (project, args, ctx) => listBuiltInPrices(ctx, project.id, args.model),
  }),
}));

const ModelPriceInput = builder.inputType('ModelPriceInput', {
  fields: (t) => ({
    model: t.string({ required: true, description: 'A model name, or a pattern with match: PATTERN.' }),
    match: t.field({ type: PriceMatchEnum, defaultValue: 'EXACT' }),
    inputUsdPerMillion: t.float({ required: true }),
    cachedInputUsdPerMillion: t.float(),
    cacheWriteUsdPerMillion: t.float(),
    outputUsdPerMillion: t.float({ required: true }),
    perRequestUsd: t.float(),
    effectiveFrom: t.field({ type: 'DateTime', description: 'Omitted: from the beginning.' }),
  }),
});

const FillResultRef = builder.objectRef<FillResult>('FillUnpricedResult').implement({
  authScopes: (r) => ({ projectAdmin: r.projectId }),
  fields: (t) => ({
    model: t.exposeString('model'),
    spans: t.expose('spans', { type: 'BigInt', description: 'Spans that got a cost.' }),
    traces: t.expose('traces', { type: 'BigInt', description: 'Traces whose total was recomputed.' }),
    stillUnpriced: t.expose('stillUnpriced', { type: 'BigInt', description: 'Spans no price covers at their time.' }),
    remaining: t.exposeBoolean('remaining', { description: 'More spans are left than one call handles: call again.' }),
  }),
});

builder.mutationFields((t) => ({
  setModelPrice: t.field({
    type: ModelPriceRef,
    description: 'ADMIN+, audited. Applies to spans stored from now on whose start is at or after effectiveFrom; one with the same model, match and date is replaced.',
    authScopes: (_root, args) => ({ $all: { writer: true, projectAdmin: args.projectId } }),
    args: { projectId: t.arg.id({ required: true }), input: t.arg({ type: ModelPriceInput, required: true }) },
    resolve: (_root, { projectId, input }, ctx) =>
      setProjectPrice(ctx, String(projectId), { ...input, matchType: input.match === 'PATTERN' ? 'pattern' : 'exact' }),
  }),
  archiveModelPrice: t.field({
    type: ModelPriceRef,
    description: 'ADMIN+, audited. The price stops applying to spans stored from now on; spans it costed keep their cost.',
    authScopes: (_root, args) => ({ $all: { writer: true, projectAdmin: args.projectId } }),
    // The id is a price ref (`project:<uuid>`), not a bare UUID.
    args: { projectId: t.arg.id({ required: true }), id: t.arg.id({ required: true, extensions: clientMadeId }) },
    resolve: (_root, args, ctx) => archiveProjectPrice(ctx, args.projectId, args.id),
  }),
  priceUnpricedSpans: t.field({
    type: FillResultRef,
    description: 'ADMIN+, audited. Gives a cost to spans of `model` whose cost was unknown, with today’s prices; never changes a recorded cost.',
    authScopes: (_root, args) => ({ $all: { writer: true, projectAdmin: args.projectId } }),
    args: { projectId: t.arg.id({ required: true }), model: t.arg.string({ required: true }) },
    resolve: (_root, args, ctx) => fillUnpricedSpans(ctx, args.projectId, args.model),
  }),
}));
