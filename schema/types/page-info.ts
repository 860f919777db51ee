import { builder } from '../builder';

export interface PageInfoShape {
  hasNextPage: boolean;
  hasPreviousPage: boolean;
  startCursor: string | null;
  endCursor: string | null;
}

// Carries no data of its own: it is only reachable through a connection that is checked.
export const PageInfoRef = builder.objectRef<PageInfoShape>('PageInfo').implement({
  authScopes: { user: true },
  fields: (t) => ({
    hasNextPage: t.exposeBoolean('hasNextPage'),
    hasPreviousPage: t.exposeBoolean('hasPreviousPage'),
    startCursor: t.exposeString('startCursor', { nullable: true }),
    endCursor: t.exposeString('endCursor', { nullable: true }),
  }),
});

/** PageInfo of a forward-only connection page. */
export function pageInfoOf(page: { edges: { cursor: string }[]; hasNextPage: boolean; hasPreviousPage: boolean }): PageInfoShape {
  return {
    hasNextPage: page.hasNextPage,
    hasPreviousPage: page.hasPreviousPage,
    startCursor: page.edges[0]?.cursor ?? null,
    endCursor: page.edges.at(-1)?.cursor ?? null,
  };
}
