import type { RequestContext } from '../context';
import { findTraceGroup, findTraceGroupPage, type GroupColumn, type GroupFilter, type GroupKeyset, type TraceGroupRow } from '../db/repositories/trace-groups';
import { badInput } from '../errors';

// Sessions (traces grouped by sessionId) and end users (by userId): the aggregates, pages of
// them newest activity first, and one group by id.

export type TraceGroupKind = 'session' | 'user';

export interface TraceGroupModel extends TraceGroupRow {
  projectId: string;
  kind: TraceGroupKind;
}

export interface TraceGroupPage {
  projectId: string;
  edges: { cursor: string; node: TraceGroupModel }[];
  hasNextPage: boolean;
  hasPreviousPage: boolean;
}

export const DEFAULT_GROUP_PAGE_SIZE = 50;
export const MAX_GROUP_PAGE_SIZE = 200;

const COLUMN: Record<TraceGroupKind, GroupColumn> = { session: 'session_id', user: 'user_id' };

function encodeCursor(kind: TraceGroupKind, key: string, id: string): string {
  return Buffer.from(JSON.stringify([kind, key, id])).toString('base64url');
}

function decodeCursor(kind: TraceGroupKind, cursor: string): GroupKeyset {
  const invalid = () => badInput('The cursor is not valid: pass an endCursor from a previous page.', { field: 'after' });
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalid();
  }
  if (!Array.isArray(parsed) || parsed.length !== 3) throw invalid();
  const [k, key, id] = parsed as unknown[];
  if (k !== kind || typeof key !== 'string' || typeof id !== 'string') throw invalid();
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?Z$/.test(key) || Number.isNaN(Date.parse(key))) throw invalid();
  return { lastStartTime: key, id };
}

function validate(filter: GroupFilter): void {
  if (filter.idContains && filter.idContains.length > 200) throw badInput('idContains is longer than 200 characters.', { field: 'idContains' });
  if (filter.from && filter.to && filter.to.getTime() <= filter.from.getTime()) throw badInput('to must be after from.', { field: 'to' });
}

export async function listTraceGroups(
  ctx: RequestContext,
  projectId: string,
  kind: TraceGroupKind,
  filter: GroupFilter | null | undefined,
  first: number | null | undefined,
  after: string | null | undefined,
): Promise<TraceGroupPage> {
  const f = filter ?? {};
  validate(f);
  const limit = first ?? DEFAULT_GROUP_PAGE_SIZE;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_GROUP_PAGE_SIZE) {
    throw badInput(`first must be between 1 and ${MAX_GROUP_PAGE_SIZE}.`, { field: 'first' });
  }
  const keyset = after ? decodeCursor(kind, after) : null;
  const rows = await findTraceGroupPage(ctx.deps.db, projectId, COLUMN[kind], f, keyset, limit + 1);
  return {
    projectId,
    edges: rows.slice(0, limit).map(({ cursorKey, ...row }) => ({ cursor: encodeCursor(kind, cursorKey, row.id), node: { ...row, projectId, kind } })),
    hasNextPage: rows.length > limit,
    hasPreviousPage: keyset !== null,
  };
}

export async function getTraceGroup(ctx: RequestContext, projectId: string, kind: TraceGroupKind, id: string): Promise<TraceGroupModel | null> {
  if (id.length === 0 || id.length > 400) return null;
  const row = await findTraceGroup(ctx.deps.db, projectId, COLUMN[kind], id);
  return row ? { ...row, projectId, kind } : null;
}
