import { getTraceFacts, usageStatusOf } from '../../server/services/usage-status';
import { builder } from '../builder';
import { SpanRef } from './span';
import { TraceRef } from './trace';

// What is unknown about cost and tokens, said explicitly: a stream without usage and a model
// without a price are "unknown", never 0.

const UsageStatusEnum = builder.enumType('UsageStatus', {
  description: 'Whether a span’s token counts are known.',
  values: {
    REPORTED: { description: 'Token counts were reported.' },
    NOT_REPORTED: { description: 'A finished generation reported no token counts (e.g. streamed without include_usage): tokens and cost are unknown, not 0.' },
    PENDING: { description: 'A generation still running; counts may come with its end.' },
    NOT_APPLICABLE: { description: 'Not a generation, and no counts.' },
  } as const,
});

builder.objectField(SpanRef, 'usageStatus', (t) =>
  t.field({
    type: UsageStatusEnum,
    authScopes: (span) => ({ projectViewer: span.projectId }),
    resolve: (span) => usageStatusOf(span),
  }),
);

builder.objectFields(TraceRef, (t) => ({
  unpricedSpans: t.int({
    description: 'Spans that name a model but have no cost (no price, or no token counts): totalCostUsd leaves them out.',
    authScopes: (trace) => ({ projectViewer: trace.projectId }),
    resolve: async (trace, _args, ctx) => (await getTraceFacts(ctx, trace.projectId, trace.id)).unpricedSpans,
  }),
  generationsWithoutUsage: t.int({
    description: 'Finished generations that reported no token counts: totalTokens leaves them out ("usage not reported").',
    authScopes: (trace) => ({ projectViewer: trace.projectId }),
    resolve: async (trace, _args, ctx) => (await getTraceFacts(ctx, trace.projectId, trace.id)).generationsWithoutUsage,
  }),
}));
