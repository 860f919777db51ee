import { ingestSpans, type IngestRejection, type IngestResult } from '../../server/services/ingest/ingest';
import { forbidden } from '../../server/errors';
import { checkedPerItem, clientMadeId } from '../argument-guard';
import { builder } from '../builder';
import { SpanKindEnum, SpanStatusEnum } from './enums';

const TraceAttributesInput = builder.inputType('TraceAttributesInput', {
  fields: (t) => ({
    name: t.string(),
    userId: t.string(),
    sessionId: t.string(),
    tags: t.stringList(),
    metadata: t.field({ type: 'JSON' }),
  }),
});

const SpanInput = builder.inputType('SpanInput', {
  fields: (t) => ({
    id: t.id({ required: true, description: 'Made by the client; a retried span with the same id is not stored twice.', extensions: clientMadeId }),
    traceId: t.id({ required: true, extensions: clientMadeId }),
    parentId: t.id({ extensions: clientMadeId }),
    kind: t.field({ type: SpanKindEnum, required: true }),
    name: t.string({ required: true }),
    model: t.string(),
    provider: t.string(),
    input: t.field({ type: 'JSON' }),
    output: t.field({ type: 'JSON' }),
    promptTokens: t.int(),
    completionTokens: t.int(),
    startTime: t.field({ type: 'DateTime', required: true }),
    endTime: t.field({ type: 'DateTime' }),
    completionStartTime: t.field({ type: 'DateTime', description: 'When a streamed generation produced its first token.' }),
    status: t.field({ type: SpanStatusEnum }),
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
      const projectId = ctx.principal.projectId;
      return ingestSpans(
        ctx.deps,
        projectId,
        args.spans.map((s) => ({ ...s, id: String(s.id), traceId: String(s.traceId), parentId: s.parentId == null ? null : String(s.parentId) })),
        await ctx.projectSettings(projectId),
      );
    },
  }),
);
