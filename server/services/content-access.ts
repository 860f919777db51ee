import type { RequestContext } from '../context';
import type { RoleName } from '../db/tables';
import { hasRole, type ProjectSettings } from './models';

// Who may read span content: VIEWER+ of the project, or ADMIN+ when the project restricts
// content to admins. The schema's `contentReader` scope and the export both ask here.

export function contentVisibleTo(role: RoleName | null, settings: ProjectSettings | null): boolean {
  if (role === null || settings === null) return false;
  return hasRole(role, settings.contentVisibility === 'ADMINS_ONLY' ? 'ADMIN' : 'VIEWER');
}

export async function mayReadContent(ctx: RequestContext, projectId: string): Promise<boolean> {
  const role = await ctx.roleIn(projectId);
  if (role === null) return false;
  return contentVisibleTo(role, await ctx.projectSettings(projectId));
}

export type ContentStatus = 'AVAILABLE' | 'HIDDEN' | 'REMOVED_BY_RETENTION';

/** What a reader gets for a span's content, told apart so "removed" never reads as "hidden". */
export async function contentStatusOf(ctx: RequestContext, span: { projectId: string; contentRemovedAt?: Date | null }): Promise<ContentStatus> {
  if (span.contentRemovedAt) return 'REMOVED_BY_RETENTION';
  return (await mayReadContent(ctx, span.projectId)) ? 'AVAILABLE' : 'HIDDEN';
}
