import type { RequestContext } from '../../context';
import { countContentAccessRows, findContentAccessPage, type ContentAccessRowFilter } from '../../db/repositories/content-access-log';
import type { ContentAccessLogRow } from '../../db/tables';
import { badInput } from '../../errors';

// Project.contentAccessLog: who read span content, newest first (ADMIN+ on the schema).

export interface ContentAccessEntryModel {
  id: string;
  projectId: string;
  at: Date;
  actor: { type: string; id: string | null; label: string | null };
  via: string;
  traceId: string;
  spanIds: string[];
  ip: string | null;
  userAgent: string | null;
}

export interface ContentAccessPage {
  edges: { cursor: string; node: ContentAccessEntryModel }[];
  hasNextPage: boolean;
  hasPreviousPage: boolean;
  totalCount: () => Promise<number>;
}

export const MAX_ACCESS_PAGE_SIZE = 200;
const encodeCursor = (id: string) => Buffer.from(`access:${id}`).toString('base64url');

function decodeCursor(cursor: string): string {
  const id = /^access:(\d{1,19})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'))?.[1];
  if (id === undefined || BigInt(id) > 9223372036854775807n) {
    throw badInput('The cursor is not valid: pass an endCursor or edge cursor from a previous page.', { field: 'after' });
  }
  return id;
}

function toModel(row: ContentAccessLogRow): ContentAccessEntryModel {
  return {
    id: String(row.id),
    projectId: row.project_id,
    at: row.at,
    actor: { type: row.actor_type, id: row.actor_id, label: row.actor_label },
    via: row.via,
    traceId: row.trace_id,
    spanIds: row.span_ids,
    ip: row.ip,
    userAgent: row.user_agent,
  };
}

export async function listContentAccessLog(
  ctx: RequestContext,
  projectId: string,
  filter: ContentAccessRowFilter | null | undefined,
  first: number | null | undefined,
  after: string | null | undefined,
): Promise<ContentAccessPage> {
  const limit = first ?? 50;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_ACCESS_PAGE_SIZE) {
    throw badInput(`first must be between 1 and ${MAX_ACCESS_PAGE_SIZE}.`, { field: 'first' });
  }
  const f = filter ?? {};
  const beforeId = after ? decodeCursor(after) : null;
  // Reads still in the writer's buffer belong on the page an admin opens right after them.
  await ctx.deps.accessLog.flush();
  const rows = await findContentAccessPage(ctx.deps.db, projectId, f, beforeId, limit + 1);
  return {
    edges: rows.slice(0, limit).map((row) => ({ cursor: encodeCursor(String(row.id)), node: toModel(row) })),
    hasNextPage: rows.length > limit,
    hasPreviousPage: beforeId !== null,
    totalCount: () => countContentAccessRows(ctx.deps.db, projectId, f),
  };
}
