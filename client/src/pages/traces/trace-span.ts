import type { TraceDetailQuery } from '../../lib/generated/graphql';

/** A span as the trace detail query returns it. */
export type TraceSpan = NonNullable<NonNullable<TraceDetailQuery['project']>['trace']>['spans'][number];
