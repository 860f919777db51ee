import type { RedactionHit, SpanModel } from '../../server/services/models';
import type { RequestContext } from '../../server/context';
import { contentStatusOf } from '../../server/services/content-access';
import { getSpanContentField, type ContentColumn } from '../../server/services/traces';
import { builder } from '../builder';
import { ContentStatusEnum, SpanKindEnum, SpanStatusEnum } from './enums';

const RedactionHitRef = builder.objectRef<RedactionHit & { projectId: string }>('RedactionHit').implement({
  description: 'Which redaction rule fired on a span and how often; never the text it matched.',
  authScopes: (hit) => ({ projectViewer: hit.projectId }),
  fields: (t) => ({ rule: t.exposeString('rule'), count: t.expose('count', { type: 'BigInt' }) }),
});

/** A field's content, or its CONTENT_UNREADABLE error at this field's path (the rest of the span resolves as usual). */
async function content(ctx: RequestContext, span: SpanModel, column: ContentColumn): Promise<unknown> {
  const field = await getSpanContentField(ctx, span, column);
  if (!field.ok) throw field.error;
  return field.value;
}

export const SpanRef = builder.objectRef<SpanModel>('Span').implement({
  authScopes: (span) => ({ projectViewer: span.projectId }),
  fields: (t) => ({
    id: t.exposeID('id'),
    traceId: t.exposeID('traceId'),
    parentId: t.exposeID('parentId', { nullable: true }),
    kind: t.expose('kind', { type: SpanKindEnum }),
    name: t.exposeString('name'),
    model: t.exposeString('model', { nullable: true }),
    provider: t.exposeString('provider', { nullable: true }),
    // Content: VIEWER+, or ADMIN+ when the project restricts it. A caller below that line gets
    // null for the content fields (input, output, statusMessage, metadata) and everything else
    // as usual, not an error. Stored content that cannot be read is an error on its own field only.
    input: t.field({
      type: 'JSON',
      nullable: true,
      description: 'Content: null for a VIEWER when the project’s content is ADMINS_ONLY.',
      authScopes: (span) => ({ contentReader: span.projectId }),
      unauthorizedResolver: () => null,
      resolve: (span, _args, ctx) => content(ctx, span, 'input'),
    }),
    output: t.field({
      type: 'JSON',
      nullable: true,
      description: 'Content: null for a VIEWER when the project’s content is ADMINS_ONLY.',
      authScopes: (span) => ({ contentReader: span.projectId }),
      unauthorizedResolver: () => null,
      resolve: (span, _args, ctx) => content(ctx, span, 'output'),
    }),
    contentStatus: t.field({
      type: ContentStatusEnum,
      description: 'Why input and output are what they are: readable, hidden from this caller, or removed by retention.',
      resolve: (span, _args, ctx) => contentStatusOf(ctx, span),
    }),
    contentRemovedAt: t.expose('contentRemovedAt', {
      type: 'DateTime',
      nullable: true,
      description: 'When retention dropped this span’s input, output and statusMessage.',
    }),
    promptTokens: t.exposeInt('promptTokens', { nullable: true }),
    completionTokens: t.exposeInt('completionTokens', { nullable: true }),
    totalTokens: t.exposeInt('totalTokens', { nullable: true }),
    cacheReadTokens: t.exposeInt('cacheReadTokens', {
      nullable: true,
      description: 'The part of promptTokens read from the provider\'s prompt cache.',
    }),
    cacheWriteTokens: t.exposeInt('cacheWriteTokens', {
      nullable: true,
      description: 'The part of promptTokens written to the provider\'s prompt cache.',
    }),
    reasoningTokens: t.exposeInt('reasoningTokens', { nullable: true, description: 'The part of completionTokens spent on reasoning.' }),
    costUsd: t.exposeFloat('costUsd', { nullable: true, description: 'Null when the model has no known price.' }),
    startTime: t.expose('startTime', { type: 'DateTime' }),
    endTime: t.expose('endTime', { type: 'DateTime', nullable: true }),
    latencyMs: t.float({
      nullable: true,
      resolve: (s) => (s.endTime ? s.endTime.getTime() - s.startTime.getTime() : null),
    }),
    completionStartTime: t.expose('completionStartTime', {
      type: 'DateTime',
      nullable: true,
      description: 'When a streamed generation produced its first token.',
    }),
    timeToFirstTokenMs: t.float({
      nullable: true,
      description: 'From the start of a streamed generation to its first token.',
      resolve: (s) => (s.completionStartTime ? s.completionStartTime.getTime() - s.startTime.getTime() : null),
    }),
    status: t.expose('status', { type: SpanStatusEnum }),
    // An error message and metadata often quote the content (the prompt that failed, a user's
    // question), so they follow the same rule as input and output.
    statusMessage: t.exposeString('statusMessage', {
      nullable: true,
      description: 'Content: null for a VIEWER when the project’s content is ADMINS_ONLY.',
      authScopes: (span) => ({ contentReader: span.projectId }),
      unauthorizedResolver: () => null,
    }),
    metadata: t.expose('metadata', {
      type: 'JSON',
      nullable: true,
      description: 'Content: null for a VIEWER when the project’s content is ADMINS_ONLY.',
      authScopes: (span) => ({ contentReader: span.projectId }),
      unauthorizedResolver: () => null,
    }),
    redactions: t.field({
      type: [RedactionHitRef],
      resolve: (s) => s.redactions.map((r) => ({ ...r, projectId: s.projectId })),
    }),
  }),
});
