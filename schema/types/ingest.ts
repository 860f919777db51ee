import { mapGraphqlSpan } from '../../server/services/ingest/graphql/map-graphql-span';
import { ingest, type IngestRejection, type IngestResult } from '../../server/services/ingest/ingest';
import { SpansReadInWorker } from '../../server/services/ingest/read-spans';
import { forbidden } from '../../server/errors';
import { checkedPerItem, clientMadeId } from '../argument-guard';
import { builder } from '../builder';

const TraceAttributesInput = builder.inputType('TraceAttributesInput', {
  fields: (t) => ({
    name: t.string(),
    userId: t.string(),
    sessionId: t.string(),
    tags: t.stringList(),
    metadata: t.field({ type: 'JSON' }),
  }),
});

// Per-span fields a sender can get wrong — times, the kind and status enums — are typed loosely
// here (SpanTime, String) and checked by ingest's validate stage, so a bad value rejects only its
// span, by index, instead of failing the request at variable coercion (docs/ingest.md).
const SpanInput = builder.inputType('SpanInput', {
  fields: (t) => ({
    id: t.id({ required: true, description: 'Made by the client; a retried span with the same id is not stored twice.', extensions: clientMadeId }),
    traceId: t.id({ required: true, extensions: clientMadeId }),
    parentId: t.id({ extensions: clientMadeId }),
    kind: t.string({ required: true, description: 'A SpanKind value; anything else rejects this span (IngestResult.rejected).' }),
    name: t.string({ required: true }),
    model: t.string(),
    provider: t.string(),
    input: t.field({ type: 'JSON' }),
    output: t.field({ type: 'JSON' }),
    promptTokens: t.int({ description: 'At most 100,000,000 (docs/ingest.md), like every token count here.' }),
    completionTokens: t.int(),
    cacheReadTokens: t.int({ description: 'The part of promptTokens read from the provider\'s prompt cache.' }),
    cacheWriteTokens: t.int({ description: 'The part of promptTokens written to the provider\'s prompt cache.' }),
    reasoningTokens: t.int({ description: 'The part of completionTokens spent on reasoning.' }),
    startTime: t.field({ type: 'SpanTime', required: true }),
    endTime: t.field({ type: 'SpanTime' }),
    completionStartTime: t.field({ type: 'SpanTime', description: 'When a streamed generation produced its first token.' }),
    status: t.string({ description: 'A SpanStatus value (OK when absent); anything else rejects this span.' }),
    statusMessage: t.string(),
    metadata: t.field({ type: 'JSON' }),
    trace: t.field({ type: TraceAttributesInput, description: 'Name, userId, sessionId, tags, metadata of the trace.' }),
  }),
});

// The result only echoes what the caller sent; an ingest key may read it.
const IngestRejectionRef = builder.objectRef<IngestRejection>('IngestRejection').implement({
  authScopes: { ingestKey: true },
  fields: (t) => ({
    index: t.exposeInt('index'),
    id: t.exposeID('id', { nullable: true }),
    reason: t.exposeString('reason'),
  }),
});

const IngestResultRef = builder.objectRef<IngestResult>('IngestResult').implement({
  authScopes: { ingestKey: true },
  fields: (t) => ({
    accepted: t.exposeInt('accepted'),
    rejected: t.field({ type: [IngestRejectionRef], resolve: (r) => r.rejected }),
  }),
});

builder.mutationField('ingest', (t) =>
  t.field({
    type: IngestResultRef,
    description: 'An ingest key of the project, nothing else. One bad span never sinks the batch.',
    authScopes: { ingestKey: true },
    // Each span is validated by the ingest pipeline and rejected by its index: not by the guard.
    args: { spans: t.arg({ type: [SpanInput], required: true, extensions: checkedPerItem }) },
    resolve: async (_root, args, ctx) => {
      if (ctx.principal.kind !== 'ingestKey') throw forbidden();
      const request = { door: 'graphql', principal: ctx.principal, settings: await ctx.projectSettings(ctx.principal.projectId) } as const;
      // A large request's spans may come read already, off the event loop (server/http/graphql-read-pool.ts).
      const spans: unknown = args.spans;
      if (spans instanceof SpansReadInWorker) return ingest(ctx.deps, { ...request, read: spans.read });
      return ingest(ctx.deps, { ...request, items: args.spans, map: mapGraphqlSpan });
    },
  }),
);
