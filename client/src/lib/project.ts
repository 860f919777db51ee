import type { ContentVisibility, Role } from './generated/graphql';

/** What every project page knows about the project it is on. */
export interface CurrentProject {
  id: string;
  name: string;
  viewerRole: Role;
  contentVisibility: ContentVisibility;
}

const RANK: Record<Role, number> = { VIEWER: 0, ADMIN: 1, OWNER: 2 };

/** The dashboard's mirror of the server's role rule, to hide controls a role cannot use. */
export function hasRole(role: Role, need: Role): boolean {
  return RANK[role] >= RANK[need];
}

export function canReadContent(p: CurrentProject): boolean {
  return hasRole(p.viewerRole, p.contentVisibility === 'ADMINS_ONLY' ? 'ADMIN' : 'VIEWER');
}
