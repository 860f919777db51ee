import type { SpanDraft } from '../span-draft';

// The GraphQL door's map stage. SpanInput already has the span model's field names, so this only
// passes the values on; the validate stage checks them like any other door's.

export interface GraphqlSpanInput {
  id: string | number;
  traceId: string | number;
  parentId?: string | number | null;
  [field: string]: unknown;
}

export function mapGraphqlSpan(input: GraphqlSpanInput): SpanDraft {
  return {
    ...input,
    id: String(input.id),
    traceId: String(input.traceId),
    parentId: input.parentId == null ? null : String(input.parentId),
    kind: input.kind,
    name: input.name,
    startTime: input.startTime,
  };
}
