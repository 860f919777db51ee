import type { RequestContext } from '../context';
import {
  countTraces,
  countTracesUpTo,
  findModelsContaining,
  findTracePage,
  type SortDirection,
  type TraceKeyset,
  type TraceRowFilter,
  type TraceSortField,
} from '../db/repositories/trace-list';
import { badInput } from '../errors';
import { traceListCursor } from './page-cursor';
import type { SpanStatusName, TraceModel } from './models';
import { toTraceModel } from './traces';

// The trace list: filters, sorts with keyset pages, and a count that stays cheap.

/** The list's filter as the API takes it: the repository's row filter, with a model substring
 *  (resolved by toRowFilter) instead of the model lists it turns into. */
export interface TraceFilter extends Omit<TraceRowFilter, 'modelIn' | 'modelLike' | 'status'> {
  modelContains?: string | null;
  status?: SpanStatusName | null;
}

export interface TraceOrder {
  field?: TraceSortField | null;
  direction?: SortDirection | null;
}

export interface BoundedCount {
  count: number;
  /** False when more traces match than `max`: `count` is then `max` ("10,000+"). */
  exact: boolean;
}

export interface TracePage {
  edges: { cursor: string; node: TraceModel }[];
  hasNextPage: boolean;
  hasPreviousPage: boolean;
  /** Counts every trace the filter matches; only run when a client asks for it. */
  totalCount: () => Promise<number>;
  /** Counts up to `max` and stops: the list's "1,234 traces" / "10,000+ traces". */
  boundedCount: (max: number) => Promise<BoundedCount>;
}

export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 200;
export const DEFAULT_COUNT_BOUND = 10_000;
export const MAX_COUNT_BOUND = 100_000;
const MAX_METADATA_FILTERS = 10;

/** The page after `after`, which must belong to the sort asked for (its shape was checked by the codec). */
function keysetOf(after: string, field: TraceSortField, direction: SortDirection): TraceKeyset {
  const position = traceListCursor.decode(after);
  if (position.field !== field || position.direction !== direction) {
    throw badInput('This cursor belongs to another sort order: start again from the first page.', { field: 'after' });
  }
  return { key: position.key, id: position.id };
}

function checkText(value: string | null | undefined, field: string, max: number): void {
  if (value != null && value.length > max) throw badInput(`${field} is longer than ${max} characters.`, { field });
}

function validateFilter(f: TraceFilter): void {
  checkText(f.nameContains, 'nameContains', 200);
  checkText(f.modelContains, 'modelContains', 200);
  const metadata = f.metadata ?? [];
  if (metadata.length > MAX_METADATA_FILTERS) throw badInput(`At most ${MAX_METADATA_FILTERS} metadata filters.`, { field: 'metadata' });
  for (const m of metadata) {
    if (m.key.length === 0 || m.key.length > 200) throw badInput('A metadata key needs 1 to 200 characters.', { field: 'metadata' });
    checkText(m.value, 'metadata value', 1000);
  }
}

/**
 * The list's filter, checked and resolved into the repository's row filter: what the export uses,
 * so a file holds exactly the traces the list shows for the same filter.
 */
export async function resolveTraceFilter(ctx: RequestContext, projectId: string, filter: TraceFilter): Promise<TraceRowFilter> {
  validateFilter(filter);
  return toRowFilter(ctx, projectId, filter);
}

/** Resolves what the repository cannot take as is (a model substring) into row filters. */
async function toRowFilter(ctx: RequestContext, projectId: string, f: TraceFilter): Promise<TraceRowFilter> {
  const { modelContains, ...rest } = f;
  const row: TraceRowFilter = { ...rest, nameContains: f.nameContains || null };
  if (modelContains) {
    const models = await findModelsContaining(ctx.deps.db, projectId, modelContains);
    if (models === null) row.modelLike = modelContains;
    else row.modelIn = models;
  }
  return row;
}

export async function listTraces(
  ctx: RequestContext,
  projectId: string,
  filter: TraceFilter | null | undefined,
  first: number | null | undefined,
  after: string | null | undefined,
  order?: TraceOrder | null,
): Promise<TracePage> {
  const f = filter ?? {};
  validateFilter(f);
  const limit = first ?? DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE_SIZE) {
    throw badInput(`first must be between 1 and ${MAX_PAGE_SIZE}.`, { field: 'first' });
  }
  const field = order?.field ?? 'START_TIME';
  const direction = order?.direction ?? 'DESC';
  const keyset = after ? keysetOf(after, field, direction) : null;
  const { db } = ctx.deps;
  const rowFilter = await toRowFilter(ctx, projectId, f);
  const rows = await findTracePage(db, projectId, rowFilter, field, direction, keyset, limit + 1);
  const page = rows.slice(0, limit);
  return {
    edges: page.map((row) => ({ cursor: traceListCursor.encode({ field, direction, key: row.sort_key, id: row.id }), node: toTraceModel(row) })),
    hasNextPage: rows.length > limit,
    hasPreviousPage: keyset !== null,
    totalCount: () => countTraces(db, projectId, rowFilter),
    boundedCount: async (max) => {
      if (!Number.isInteger(max) || max < 1 || max > MAX_COUNT_BOUND) {
        throw badInput(`max must be between 1 and ${MAX_COUNT_BOUND}.`, { field: 'max' });
      }
      const n = await countTracesUpTo(db, projectId, rowFilter, max);
      return n > max ? { count: max, exact: false } : { count: n, exact: true };
    },
  };
}
