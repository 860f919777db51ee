import { createHash } from 'node:crypto';
import { GraphQLObjectType } from 'graphql';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { schema } from '../../schema/index';
import { issueCredential } from '../auth/secrets';
import { createTestApp, INGEST, span, TEST_PASSWORD, TestClient, type GraphQLResponse, type TestApp } from '../testing/test-app';
import { expectCode } from '../testing/expect-code';

// Ingest keys and personal access tokens, end to end through the real schema: what the secret
// looks like and where it (never) appears, when a credential stops working, and that keys,
// tokens and browser sessions live independently of each other.

const CREATE_KEY = `mutation($p: ID!, $name: String!, $exp: DateTime) {
  createApiKey(projectId: $p, name: $name, expiresAt: $exp) {
    secret
    apiKey { id name prefix createdAt createdBy { id } lastUsedAt expiresAt revokedAt }
  }
}`;
const LIST_KEYS = `query($p: ID!) {
  project(id: $p) { apiKeys { id name prefix createdAt createdBy { id name } lastUsedAt expiresAt revokedAt } }
}`;
const ROTATE_KEY = `mutation($id: ID!, $grace: Int) { rotateApiKey(id: $id, graceSeconds: $grace) { secret apiKey { id expiresAt } } }`;
const REVOKE_KEY = `mutation($id: ID!) { revokeApiKey(id: $id) { id revokedAt } }`;
const CREATE_TOKEN = `mutation($name: String!, $ro: Boolean!, $exp: DateTime) {
  createPersonalAccessToken(name: $name, readOnly: $ro, expiresAt: $exp) { secret token { id name readOnly expiresAt } }
}`;
const REVOKE_TOKEN = `mutation($id: ID!) { revokePersonalAccessToken(id: $id) }`;
const VIEWER = '{ viewer { id email } }';


/** Refused before execution: HTTP 401 and UNAUTHENTICATED. */
function expectUnauthenticated(res: GraphQLResponse): void {
  expect(res.status).toBe(401);
  expectCode(res, 'UNAUTHENTICATED');
}

function expectIngested(res: GraphQLResponse): void {
  expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
  expect(res.data.ingest.accepted).toBe(1);
}

describe('credentials', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  const ingestOne = (client: TestClient) => client.gql(INGEST, { spans: [span()] });
  const keyRow = (id: string) => t.app.deps.db.selectFrom('api_keys').selectAll().where('id', '=', id).executeTakeFirstOrThrow();

  async function createKey(owner: TestClient, projectId: string, name = 'another key', expiresAt?: string) {
    const res = await owner.gql(CREATE_KEY, { p: projectId, name, exp: expiresAt });
    expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
    const created = res.data.createApiKey as { secret: string; apiKey: { id: string; prefix: string; expiresAt: string | null } };
    return { ...created, client: new TestClient(t.app, created.secret) };
  }

  async function createToken(session: TestClient, readOnly: boolean, name = 'cli') {
    const res = await session.gql(CREATE_TOKEN, { name, ro: readOnly });
    expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
    const created = res.data.createPersonalAccessToken as { secret: string; token: { id: string } };
    return { id: created.token.id, secret: created.secret, client: new TestClient(t.app, created.secret) };
  }

  /** A user with a session, a project and an ingest key — and the e-mail, to sign in again. */
  async function userWithProject() {
    const { client: session, userId, email } = await t.signUp('Owner');
    const p = await session.gql('mutation { createProject(input: { name: "p" }) { id } }');
    expect(p.errors).toBeUndefined();
    const projectId = p.data.createProject.id as string;
    const key = await createKey(session, projectId, 'ingest');
    return { session, userId, email, projectId, key };
  }

  describe('API keys', () => {
    it('shows a ttk_ secret once; apiKeys lists prefix, name and creator, never the secret', async () => {
      const { owner, ownerId, projectId } = await t.projectWithKey();
      const res = await owner.gql(CREATE_KEY, { p: projectId, name: 'ci key' });
      expect(res.errors).toBeUndefined();
      const { secret, apiKey } = res.data.createApiKey;
      expect(secret).toMatch(/^ttk_[0-9A-Za-z]{40,}$/);
      // The prefix identifies the key without being a usable part of the secret.
      expect(secret.startsWith(apiKey.prefix)).toBe(true);
      expect(apiKey.prefix).toMatch(/^ttk_/);
      expect(apiKey.prefix.length).toBeLessThan(secret.length - 32);
      expect(apiKey).toMatchObject({ name: 'ci key', createdBy: { id: ownerId }, lastUsedAt: null, revokedAt: null });

      const list = await owner.gql(LIST_KEYS, { p: projectId });
      expect(list.errors).toBeUndefined();
      const listed = list.data.project.apiKeys.find((k: { id: string }) => k.id === apiKey.id);
      expect(listed).toMatchObject({ name: 'ci key', prefix: apiKey.prefix, createdBy: { id: ownerId, name: 'Owner' } });
      const secretPart = secret.slice(apiKey.prefix.length);
      expect(JSON.stringify(list.data)).not.toContain(secretPart);
    });

    it('the ApiKey type has no field that could carry the secret', () => {
      const apiKeyType = schema.getType('ApiKey');
      expect(apiKeyType).toBeInstanceOf(GraphQLObjectType);
      // An exact list on purpose: a new field on ApiKey must be looked at before this passes.
      expect(Object.keys((apiKeyType as GraphQLObjectType).getFields()).sort()).toEqual(
        ['createdAt', 'createdBy', 'expiresAt', 'id', 'lastUsedAt', 'name', 'prefix', 'revokedAt'].sort(),
      );
      // Across the whole schema, only the two "created" payloads may hold a secret.
      const secretish: string[] = [];
      for (const type of Object.values(schema.getTypeMap())) {
        if (!(type instanceof GraphQLObjectType) || type.name.startsWith('__')) continue;
        for (const field of Object.keys(type.getFields())) {
          if (/secret|hash|lookup/i.test(field)) secretish.push(`${type.name}.${field}`);
        }
      }
      expect(secretish.sort()).toEqual(['CreatedApiKey.secret', 'CreatedToken.secret']);
    });

    it('stores the SHA-256 of the secret and no column holds the secret', async () => {
      const { keyId, secret } = await t.projectWithKey();
      const row = await keyRow(keyId);
      expect(row.secret_hash).toBe(createHash('sha256').update(secret, 'utf8').digest('hex'));
      const secretPart = secret.slice(row.prefix.length);
      for (const [column, value] of Object.entries(row)) {
        const text = value instanceof Date ? value.toISOString() : String(value);
        expect(text, `api_keys.${column}`).not.toContain(secretPart);
      }
    });

    it('a new key ingests into its project', async () => {
      const { ingest, projectId } = await t.projectWithKey();
      expectIngested(await ingestOne(ingest));
      const stored = await t.app.deps.db.selectFrom('spans').select('id').where('project_id', '=', projectId).execute();
      expect(stored).toHaveLength(1);
    });

    it('a revoked key gets HTTP 401 UNAUTHENTICATED', async () => {
      const { owner, ingest, keyId } = await t.projectWithKey();
      expectIngested(await ingestOne(ingest));
      const res = await owner.gql(REVOKE_KEY, { id: keyId });
      expect(res.errors).toBeUndefined();
      expect(res.data.revokeApiKey.revokedAt).not.toBeNull();
      expectUnauthenticated(await ingestOne(ingest));
    });

    it('a key with a future expiry works and stops once the expiry has passed', async () => {
      const { owner, projectId } = await t.projectWithKey();
      const key = await createKey(owner, projectId, 'short-lived', new Date(Date.now() + 3600_000).toISOString());
      expect(key.apiKey.expiresAt).not.toBeNull();
      expectIngested(await ingestOne(key.client));

      await t.app.deps.db
        .updateTable('api_keys')
        .set({ expires_at: new Date(Date.now() - 1000) })
        .where('id', '=', key.apiKey.id)
        .execute();
      expectUnauthenticated(await ingestOne(key.client));
    });

    it('createApiKey with an expiry in the past is BAD_USER_INPUT and creates nothing', async () => {
      const { owner, projectId } = await t.projectWithKey();
      const res = await owner.gql(CREATE_KEY, { p: projectId, name: 'stale', exp: new Date(Date.now() - 60_000).toISOString() });
      expectCode(res, 'BAD_USER_INPUT');
      const keys = await t.app.deps.db.selectFrom('api_keys').select('name').where('project_id', '=', projectId).execute();
      expect(keys.map((k) => k.name)).toEqual(['test key']);
    });

    it('rotateApiKey with graceSeconds 0 refuses the old key at once; the new one works', async () => {
      const { owner, ingest: oldKey, keyId } = await t.projectWithKey();
      const res = await owner.gql(ROTATE_KEY, { id: keyId, grace: 0 });
      expect(res.errors).toBeUndefined();
      const { secret, apiKey } = res.data.rotateApiKey;
      expect(apiKey.id).not.toBe(keyId);
      expect(secret).toMatch(/^ttk_/);

      expectUnauthenticated(await ingestOne(oldKey));
      expectIngested(await ingestOne(new TestClient(t.app, secret)));
      // Rotation expires the old key rather than deleting it, so its history stays visible.
      expect((await keyRow(keyId)).expires_at!.getTime()).toBeLessThanOrEqual(Date.now());
    });

    it('rotateApiKey with graceSeconds 3600 keeps both keys working; the old one expires in about an hour', async () => {
      const { owner, ingest: oldKey, keyId } = await t.projectWithKey();
      const before = Date.now();
      const res = await owner.gql(ROTATE_KEY, { id: keyId, grace: 3600 });
      const after = Date.now();
      expect(res.errors).toBeUndefined();

      expectIngested(await ingestOne(oldKey));
      expectIngested(await ingestOne(new TestClient(t.app, res.data.rotateApiKey.secret)));

      const expiresAt = (await keyRow(keyId)).expires_at!.getTime();
      expect(expiresAt).toBeGreaterThanOrEqual(before + 3600_000 - 1000);
      expect(expiresAt).toBeLessThanOrEqual(after + 3600_000 + 1000);
      expect(res.data.rotateApiKey.apiKey.expiresAt).toBeNull();
    });

    it('rotating a key a second time is refused: its replacement is the one to rotate', async () => {
      const { owner, keyId } = await t.projectWithKey();
      const first = await owner.gql(ROTATE_KEY, { id: keyId, grace: 3600 });
      expect(first.errors).toBeUndefined();
      const again = await owner.gql(ROTATE_KEY, { id: keyId, grace: 3600 });
      expect(again.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
      expect(again.errors?.[0]?.message).toMatch(/already rotated/);
      const next = await owner.gql(ROTATE_KEY, { id: first.data.rotateApiKey.apiKey.id, grace: 0 });
      expect(next.errors).toBeUndefined();
    });

    it('rotateApiKey refuses a grace outside 0..7 days and leaves the key alone', async () => {
      const { owner, ingest, keyId } = await t.projectWithKey();
      expectCode(await owner.gql(ROTATE_KEY, { id: keyId, grace: -1 }), 'BAD_USER_INPUT');
      expectCode(await owner.gql(ROTATE_KEY, { id: keyId, grace: 8 * 24 * 3600 }), 'BAD_USER_INPUT');
      expect((await keyRow(keyId)).expires_at).toBeNull();
      expectIngested(await ingestOne(ingest));
    });

    it('another project’s key cannot be revoked or rotated, and an unknown key id reads the same', async () => {
      const { ingest, keyId } = await t.projectWithKey();
      const { owner: stranger } = await t.projectWithKey();
      const foreign = await stranger.gql(REVOKE_KEY, { id: keyId });
      expectCode(foreign, 'FORBIDDEN');
      expectCode(await stranger.gql(ROTATE_KEY, { id: keyId, grace: 0 }), 'FORBIDDEN');
      const unknown = await stranger.gql(REVOKE_KEY, { id: '00000000-0000-4000-8000-000000000000' });
      expectCode(unknown, 'FORBIDDEN');
      expect(unknown.errors?.[0]?.message).toBe(foreign.errors?.[0]?.message);
      expect(await keyRow(keyId)).toMatchObject({ revoked_at: null, expires_at: null });
      expectIngested(await ingestOne(ingest));
    });

    it('lastUsedAt is null before use, set by the first ingest, and not rewritten within a minute', async () => {
      const { owner, projectId, ingest, keyId } = await t.projectWithKey();
      const listed = await owner.gql(LIST_KEYS, { p: projectId });
      expect(listed.data.project.apiKeys[0]).toMatchObject({ id: keyId, lastUsedAt: null });
      expect((await keyRow(keyId)).last_used_at).toBeNull();

      const beforeUse = Date.now();
      t.queries.length = 0;
      expectIngested(await ingestOne(ingest));
      // The write is bookkeeping done beside the request, so it may land just after the response;
      // wait for it to be logged too, so it cannot be mistaken for a write by the second use.
      const first = await vi.waitFor(async () => {
        expect(t.queries.some((q) => /^update "api_keys"/i.test(q))).toBe(true);
        const value = (await keyRow(keyId)).last_used_at;
        expect(value).not.toBeNull();
        return value!;
      });
      expect(first.getTime()).toBeGreaterThanOrEqual(beforeUse - 1000);
      expect(first.getTime()).toBeLessThanOrEqual(Date.now() + 1000);

      t.queries.length = 0;
      expectIngested(await ingestOne(ingest));
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect((await keyRow(keyId)).last_used_at!.getTime()).toBe(first.getTime());
      expect(t.queries.filter((q) => /^update "api_keys"/i.test(q))).toEqual([]);

      const again = await owner.gql(LIST_KEYS, { p: projectId });
      expect(again.data.project.apiKeys[0].lastUsedAt).toBe(first.toISOString());
    });

    it('refuses garbage, unknown, checksum-broken and mismatched bearers; unknown and revoked read the same', async () => {
      const { owner, keyId, secret } = await t.projectWithKey();
      const attempt = (bearer: string) => ingestOne(new TestClient(t.app, bearer));

      expectUnauthenticated(await attempt('not-a-key'));
      expectUnauthenticated(await t.anonymous().gql(INGEST, { spans: [span()] }, { authorization: 'Basic abc' }));

      const unknown = await attempt(issueCredential('ttk').secret);
      expectUnauthenticated(unknown);
      expectUnauthenticated(await attempt(issueCredential('ttp').secret));

      // Change one character of the checksum: the parser must reject it without a lookup.
      const last = secret.at(-1) === 'A' ? 'B' : 'A';
      expectUnauthenticated(await attempt(secret.slice(0, -1) + last));

      // A well-formed credential whose lookup id finds a row but whose secret is not that row's.
      const impostor = issueCredential('ttk');
      const { keyId: otherKeyId } = await t.projectWithKey();
      await t.app.deps.db.updateTable('api_keys').set({ lookup_id: impostor.lookupId }).where('id', '=', otherKeyId).execute();
      const mismatched = await attempt(impostor.secret);
      expectUnauthenticated(mismatched);

      expect((await owner.gql(REVOKE_KEY, { id: keyId })).errors).toBeUndefined();
      const revoked = await attempt(secret);
      expectUnauthenticated(revoked);
      // No oracle: unknown, mismatched and revoked keys cannot be told apart by the message.
      expect(revoked.errors?.[0]?.message).toBe(unknown.errors?.[0]?.message);
      expect(mismatched.errors?.[0]?.message).toBe(unknown.errors?.[0]?.message);
    });
  });

  describe('personal access tokens', () => {
    const PROJECT_VIEW = `query($p: ID!) { project(id: $p) { id viewerRole traces { edges { node { id } } } } }`;

    it('a ttp_ token acts as its user, with that user’s role in each project', async () => {
      const { owner, projectId, ingest } = await t.projectWithKey();
      expectIngested(await ingestOne(ingest));
      const { projectId: foreignProjectId } = await t.projectWithKey();
      const { client: member, userId: memberId, email: memberEmail } = await t.signUp('Member');
      const added = await owner.gql('mutation($p: ID!, $e: String!) { addProjectMember(projectId: $p, email: $e, role: VIEWER) { role } }', {
        p: projectId,
        e: memberEmail,
      });
      expect(added.errors).toBeUndefined();

      const token = await createToken(member, false);
      const res = await token.client.gql(VIEWER);
      expect(res.errors).toBeUndefined();
      expect(res.data.viewer).toEqual({ id: memberId, email: memberEmail });

      const projects = await token.client.gql('{ projects { id viewerRole } }');
      expect(projects.data.projects).toEqual([{ id: projectId, viewerRole: 'VIEWER' }]);

      const view = await token.client.gql(PROJECT_VIEW, { p: projectId });
      expect(view.errors).toBeUndefined();
      expect(view.data.project.viewerRole).toBe('VIEWER');
      expect(view.data.project.traces.edges.map((e: { node: { id: string } }) => e.node.id)).toEqual(['trace-1']);

      // Not a member: the project does not exist for this user.
      const foreign = await token.client.gql(PROJECT_VIEW, { p: foreignProjectId });
      expect(foreign.errors).toBeUndefined();
      expect(foreign.data.project).toBeNull();

      // A VIEWER's token cannot do ADMIN things, writable or not.
      expectCode(await token.client.gql(`query($p: ID!) { project(id: $p) { apiKeys { id } } }`, { p: projectId }), 'FORBIDDEN');
      expectCode(
        await token.client.gql('mutation($p: ID!) { updateProjectSettings(projectId: $p, input: { redactInputs: true }) { id } }', { p: projectId }),
        'FORBIDDEN',
      );
      // A writable token may write what its user may.
      const created = await token.client.gql('mutation { createProject(input: { name: "by token" }) { id viewerRole } }');
      expect(created.errors).toBeUndefined();
      expect(created.data.createProject.viewerRole).toBe('OWNER');
    });

    it('a read-only token reads, and every mutation it tries is FORBIDDEN', async () => {
      const { owner, projectId, keyId, ingest } = await t.projectWithKey();
      expectIngested(await ingestOne(ingest));
      const token = await createToken(owner, true);

      const reads = await token.client.gql(`query($p: ID!) {
        viewer { id } projects { id }
        project(id: $p) { viewerRole settings { redactInputs } apiKeys { id } traces { edges { node { id spanCount } } } }
      }`, { p: projectId });
      expect(reads.errors).toBeUndefined();
      expect(reads.data.project.viewerRole).toBe('OWNER');
      expect(reads.data.project.traces.edges).toHaveLength(1);

      const mutations: [string, string, Record<string, unknown>][] = [
        ['createProject', 'mutation { createProject(input: { name: "nope" }) { id } }', {}],
        ['createApiKey', 'mutation($p: ID!) { createApiKey(projectId: $p, name: "nope") { secret } }', { p: projectId }],
        ['updateProjectSettings', 'mutation($p: ID!) { updateProjectSettings(projectId: $p, input: { redactInputs: true }) { id } }', { p: projectId }],
        ['rotateApiKey', 'mutation($id: ID!) { rotateApiKey(id: $id) { secret } }', { id: keyId }],
        ['revokeApiKey', 'mutation($id: ID!) { revokeApiKey(id: $id) { id } }', { id: keyId }],
        ['deleteProject', 'mutation($p: ID!) { deleteProject(projectId: $p) }', { p: projectId }],
      ];
      for (const [name, query, variables] of mutations) {
        const res = await token.client.gql(query, variables);
        expect(res.errors?.[0]?.extensions?.code, name).toBe('FORBIDDEN');
        expect(res.data?.[name] ?? null, name).toBeNull();
      }

      // Nothing happened: one key, still live; settings unchanged; the project is still there.
      const keys = await t.app.deps.db.selectFrom('api_keys').selectAll().where('project_id', '=', projectId).execute();
      expect(keys).toHaveLength(1);
      expect(keys[0]).toMatchObject({ revoked_at: null, expires_at: null });
      const after = await owner.gql(`query($p: ID!) { project(id: $p) { settings { redactInputs } } projects { id } }`, { p: projectId });
      expect(after.data.project.settings.redactInputs).toBe(false);
      expect(after.data.projects).toEqual([{ id: projectId }]);
      expectIngested(await ingestOne(ingest));
    });

    it('only a browser session can create or revoke tokens, not a token', async () => {
      const { client: session } = await t.signUp();
      const token = await createToken(session, false);
      const other = await createToken(session, false, 'other');

      const minted = await token.client.gql(CREATE_TOKEN, { name: 'child', ro: false });
      expectCode(minted, 'FORBIDDEN');
      expect(minted.data?.createPersonalAccessToken ?? null).toBeNull();
      expectCode(await token.client.gql(REVOKE_TOKEN, { id: other.id }), 'FORBIDDEN');
      expect((await other.client.gql(VIEWER)).errors).toBeUndefined();

      const count = await t.app.deps.db
        .selectFrom('personal_access_tokens')
        .select((eb) => eb.fn.countAll<string | number>().as('n'))
        .where('name', '=', 'child')
        .executeTakeFirstOrThrow();
      expect(Number(count.n)).toBe(0);
    });

    it('a revoked token gets UNAUTHENTICATED; so does an expired one', async () => {
      const { client: session, userId } = await t.signUp();
      const token = await createToken(session, false);
      expect((await token.client.gql(VIEWER)).data.viewer.id).toBe(userId);

      const revoked = await session.gql(REVOKE_TOKEN, { id: token.id });
      expect(revoked.errors).toBeUndefined();
      expect(revoked.data.revokePersonalAccessToken).toBe(true);
      expectUnauthenticated(await token.client.gql(VIEWER));

      const expiring = await createToken(session, true, 'expiring');
      await t.app.deps.db
        .updateTable('personal_access_tokens')
        .set({ expires_at: new Date(Date.now() - 1000) })
        .where('id', '=', expiring.id)
        .execute();
      expectUnauthenticated(await expiring.client.gql(VIEWER));

      const stale = await session.gql(CREATE_TOKEN, { name: 'stale', ro: true, exp: new Date(Date.now() - 60_000).toISOString() });
      expectCode(stale, 'BAD_USER_INPUT');
    });

    it('a user cannot revoke another user’s token', async () => {
      const { client: alice } = await t.signUp();
      const { client: bob, userId: bobId } = await t.signUp();
      const bobsToken = await createToken(bob, false);
      expectCode(await alice.gql(REVOKE_TOKEN, { id: bobsToken.id }), 'NOT_FOUND');
      expect((await bobsToken.client.gql(VIEWER)).data.viewer.id).toBe(bobId);
    });

    it('a token cannot ingest and a key cannot read: each credential stays in its lane', async () => {
      const { owner, projectId, ingest } = await t.projectWithKey();
      const token = await createToken(owner, false);
      expectCode(await ingestOne(token.client), 'FORBIDDEN');
      expectCode(await ingest.gql(VIEWER), 'FORBIDDEN');
      expectCode(await ingest.gql('query($p: ID!) { project(id: $p) { id } }', { p: projectId }), 'FORBIDDEN');
    });
  });

  describe('independence of sessions, keys and tokens', () => {
    it('signOut, and deleting every session row of the user, leave the user’s keys and tokens working', async () => {
      const { session, userId, email, key } = await userWithProject();
      const token = await createToken(session, true);

      const out = await session.gql('mutation { signOut }');
      expect(out.data.signOut).toBe(true);
      expect((await session.gql(VIEWER)).data.viewer).toBeNull();
      expectIngested(await ingestOne(key.client));
      expect((await token.client.gql(VIEWER)).data.viewer.id).toBe(userId);

      const again = await session.gql('mutation($i: SignInInput!) { signIn(input: $i) { user { id } } }', {
        i: { email, password: TEST_PASSWORD },
      });
      expect(again.errors).toBeUndefined();
      expect((await session.gql(VIEWER)).data.viewer.id).toBe(userId);

      await t.app.deps.db.deleteFrom('sessions').where('user_id', '=', userId).execute();
      expect((await session.gql(VIEWER)).data.viewer).toBeNull();
      expectIngested(await ingestOne(key.client));
      expect((await token.client.gql(VIEWER)).data.viewer.id).toBe(userId);
    });

    it('revoking or rotating a key leaves the session (and tokens) working', async () => {
      const { session, userId, projectId, key } = await userWithProject();
      const token = await createToken(session, true);
      const second = await createKey(session, projectId, 'second');

      expect((await session.gql(ROTATE_KEY, { id: key.apiKey.id, grace: 0 })).errors).toBeUndefined();
      expect((await session.gql(VIEWER)).data.viewer.id).toBe(userId);
      expect((await session.gql(REVOKE_KEY, { id: second.apiKey.id })).errors).toBeUndefined();
      expect((await session.gql(VIEWER)).data.viewer.id).toBe(userId);
      expect((await session.gql(LIST_KEYS, { p: projectId })).data.project.apiKeys).toHaveLength(3);
      expect((await token.client.gql(VIEWER)).data.viewer.id).toBe(userId);
    });
  });
});
