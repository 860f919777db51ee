import { expect } from 'vitest';
import type { AuditLogRow } from '../db/repositories/audit-log';
import type { GraphQLResponse, TestApp } from './test-app';

// Shared by the audit tests: the operations they call and a way to read the table directly.

/** Behind a trusted proxy (TRUST_PROXY=true): the right-most X-Forwarded-For entry is the client. */
export const CLIENT_IP = '203.0.113.9';
export const USER_AGENT = 'audit-test/1.0 (vitest)';
export const REQUEST_HEADERS = { 'x-forwarded-for': `198.51.100.1, ${CLIENT_IP}`, 'user-agent': USER_AGENT };

export const GQL = {
  createProject: 'mutation($name: String!) { createProject(input: { name: $name }) { id } }',
  deleteProject: 'mutation($p: ID!) { deleteProject(projectId: $p) }',
  updateSettings: `mutation($p: ID!, $input: ProjectSettingsInput!) {
    updateProjectSettings(projectId: $p, input: $input) { id settings { piiRedaction contentVisibility } }
  }`,
  addMember: `mutation($p: ID!, $email: String!, $role: Role!) {
    addProjectMember(projectId: $p, email: $email, role: $role) { role user { id } }
  }`,
  updateRole: `mutation($p: ID!, $u: ID!, $role: Role!) {
    updateProjectMemberRole(projectId: $p, userId: $u, role: $role) { role }
  }`,
  removeMember: 'mutation($p: ID!, $u: ID!) { removeProjectMember(projectId: $p, userId: $u) }',
  createKey: 'mutation($p: ID!, $name: String!) { createApiKey(projectId: $p, name: $name) { secret apiKey { id prefix } } }',
  rotateKey: 'mutation($id: ID!) { rotateApiKey(id: $id, graceSeconds: 60) { secret apiKey { id prefix } } }',
  revokeKey: 'mutation($id: ID!) { revokeApiKey(id: $id) { id revokedAt } }',
  createToken: `mutation($name: String!) {
    createPersonalAccessToken(name: $name, readOnly: false) { secret token { id prefix } }
  }`,
  revokeToken: 'mutation($id: ID!) { revokePersonalAccessToken(id: $id) }',
  signIn: 'mutation($input: SignInInput!) { signIn(input: $input) { user { id } } }',
  signOut: 'mutation { signOut }',
  auditLog: `query($p: ID!, $filter: AuditLogFilter, $first: Int, $after: String) {
    project(id: $p) {
      auditLog(filter: $filter, first: $first, after: $after) {
        totalCount
        pageInfo { hasNextPage hasPreviousPage endCursor }
        edges { cursor node { id at action actor { type id label } targetType targetId ip userAgent details } }
      }
    }
  }`,
  verify: 'query($p: ID!) { verifyAuditLog(projectId: $p) { ok checked firstBrokenId } }',
};

export function ok<T = any>(res: GraphQLResponse<T>): T {
  expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
  return res.data;
}

export { expectCode } from './expect-code';

/** A project's entries, oldest first. */
export function projectRows(t: TestApp, projectId: string): Promise<AuditLogRow[]> {
  return t.app.deps.db.selectFrom('audit_log').selectAll().where('project_id', '=', projectId).orderBy('id', 'asc').execute();
}

/** Global-chain entries about or by one user, oldest first (other test files write there too). */
export function globalRowsOf(t: TestApp, userId: string): Promise<AuditLogRow[]> {
  return t.app.deps.db
    .selectFrom('audit_log')
    .selectAll()
    .where('project_id', 'is', null)
    .where((eb) => eb.or([eb('actor_id', '=', userId), eb('target_id', '=', userId)]))
    .orderBy('id', 'asc')
    .execute();
}
