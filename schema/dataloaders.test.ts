import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertMember, insertProject } from '../server/db/repositories/projects';
import { insertUser } from '../server/db/repositories/users';
import { createTestApp, uniqueEmail, type TestApp, type TestClient } from '../server/testing/test-app';

// A 50-row page must not cost a query per row. Users (members, key authors), and the API keys of
// a list of projects, come through the schema's dataloaders: one query per kind, however many
// rows. Measured before the loaders (commit bee4377), with this same file: the member page ran
// 50 user queries, the project list 51 api_keys queries and 50 user queries (and a role query
// per project, batched since by the request's role loader in server/http/yoga.ts).

const ROWS = 50;
let t: TestApp;
let owner: TestClient;
let projectId: string;

const count = (table: string) => t.queries.filter((q) => new RegExp(`from "${table}"`).test(q)).length;

beforeAll(async () => {
  t = await createTestApp();
  const signedUp = await t.signUp('Owner');
  owner = signedUp.client;
  const db = t.app.deps.db;
  const created = await owner.gql('mutation { createProject(input: { name: "fifty members" }) { id } }');
  projectId = created.data.createProject.id;
  for (let i = 0; i < ROWS - 1; i++) {
    const user = await insertUser(db, { email: uniqueEmail('member'), name: `Member ${i}`, passwordHash: null });
    await insertMember(db, projectId, user!.id, 'VIEWER');
  }
  for (let i = 0; i < ROWS; i++) {
    const project = await insertProject(db, `project ${i}`, {});
    await insertMember(db, project.id, signedUp.userId, 'OWNER');
    const key = await owner.gql('mutation($p: ID!) { createApiKey(projectId: $p, name: "k") { apiKey { id } } }', { p: project.id });
    expect(key.errors).toBeUndefined();
  }
}, 120_000);

afterAll(() => t.close());

describe('dataloaders', () => {
  it('loads the users of a 50-member page in one query', async () => {
    t.queries.length = 0;
    const res = await owner.gql('query($id: ID!) { project(id: $id) { members { role user { id name } } } }', { id: projectId });
    expect(res.errors).toBeUndefined();
    const members = res.data.project.members as { user: { name: string } }[];
    expect(members).toHaveLength(ROWS);
    expect(new Set(members.map((m) => m.user.name)).size).toBe(ROWS);
    expect(count('users')).toBe(1);
  });

  it('loads the keys of 50 projects, and their authors, in one query each', async () => {
    t.queries.length = 0;
    const res = await owner.gql('{ projects { id apiKeys { id createdBy { name } } } }');
    expect(res.errors).toBeUndefined();
    const withKeys = (res.data.projects as { apiKeys: { createdBy: { name: string } }[] }[]).filter((p) => p.apiKeys.length > 0);
    expect(withKeys).toHaveLength(ROWS);
    expect(withKeys.every((p) => p.apiKeys.length === 1 && p.apiKeys[0]!.createdBy.name === 'Owner')).toBe(true);
    expect(count('api_keys')).toBe(1);
    expect(count('users')).toBe(1);
    // The caller's role in each of the 50 projects (Project.apiKeys is ADMIN+): one batched
    // query beside the project list's own.
    expect(count('project_members')).toBeLessThanOrEqual(2);
  });
});
