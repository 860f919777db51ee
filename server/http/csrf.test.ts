import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, TestClient, type TestApp } from '../testing/test-app';

// A foreign page can make the browser send our session cookie, so every cookie-authenticated
// request must prove it comes from the dashboard. Bearer requests cannot be forged that way
// and must not be refused. The refused requests must have changed nothing.

const CREATE_PROJECT = 'mutation($name: String!) { createProject(input: { name: $name }) { id name } }';

interface RawResult {
  status: number;
  headers: Headers;
  body: { data?: any; errors?: { message: string; extensions?: { code?: string } }[] } | undefined;
}

/** A raw POST to /graphql: the test decides every header, including the content type. */
async function rawPost(t: TestApp, headers: Record<string, string>, body: BodyInit): Promise<RawResult> {
  const res = await t.app.yoga.fetch('http://localhost:4000/graphql', { method: 'POST', headers, body });
  const text = await res.text();
  let parsed: RawResult['body'];
  try {
    parsed = JSON.parse(text) as RawResult['body'];
  } catch {
    parsed = undefined;
  }
  return { status: res.status, headers: res.headers, body: parsed };
}

function projectName(label: string): string {
  return `csrf-${label}-${randomBytes(5).toString('hex')}`;
}

describe('CSRF protection', () => {
  let t: TestApp;
  let owner: TestClient;
  let ownerId: string;
  beforeAll(async () => {
    t = await createTestApp();
    ({ client: owner, userId: ownerId } = await t.signUp('CSRF target'));
  });
  afterAll(() => t.close());

  async function projectsNamed(name: string) {
    return t.app.deps.db.selectFrom('projects').select(['id', 'name']).where('name', '=', name).execute();
  }

  async function ownedProjectCount() {
    const rows = await t.app.deps.db.selectFrom('project_members').select('project_id').where('user_id', '=', ownerId).execute();
    return rows.length;
  }

  function expectRefused(res: { status: number; body: RawResult['body'] }) {
    expect(res.body?.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(res.body?.errors?.[0]?.message).toMatch(/cross-site/i);
    expect(res.body?.data ?? null).toBeNull();
  }

  describe('a cookie-authenticated createProject is refused', () => {
    it.each([
      ['from a foreign Origin', { origin: 'https://evil.example' }],
      ['from the right host on another scheme', { origin: 'https://localhost:4000' }],
      ['from another port', { origin: 'http://localhost:4001' }],
      ['from an opaque (null) Origin', { origin: 'null' }],
      ['with Sec-Fetch-Site: cross-site', { 'sec-fetch-site': 'cross-site' }],
      ['with Sec-Fetch-Site: same-site (a sibling subdomain)', { 'sec-fetch-site': 'same-site' }],
      ['with Sec-Fetch-Site: cross-site even when the Origin looks right', { 'sec-fetch-site': 'cross-site', origin: 'http://localhost:4000' }],
    ])('%s', async (_label, headers) => {
      const name = projectName('refused');
      const before = await ownedProjectCount();
      const res = await owner.gql(CREATE_PROJECT, { name }, headers);
      expectRefused({ status: res.status, body: { data: res.data, errors: res.errors } });
      expect(await projectsNamed(name)).toEqual([]);
      expect(await ownedProjectCount()).toBe(before);
    });

    it.each(['text/plain', 'text/plain;charset=UTF-8'])('with a body of type %s (a no-preflight fetch or a text/plain form)', async (contentType) => {
      // yoga itself turns these away (415) before authentication; the CSRF check would refuse
      // them too (403 FORBIDDEN). Either way: refused, and nothing created.
      const name = projectName('plain');
      const before = await ownedProjectCount();
      const res = await rawPost(
        t,
        { 'content-type': contentType, cookie: owner.cookie! },
        JSON.stringify({ query: CREATE_PROJECT, variables: { name } }),
      );
      expect([403, 415]).toContain(res.status);
      expect(res.body?.data ?? null).toBeNull();
      expect(await projectsNamed(name)).toEqual([]);
      expect(await ownedProjectCount()).toBe(before);
    });

    it.each<[string, (name: string) => { headers: Record<string, string>; body: BodyInit }]>([
      [
        'application/x-www-form-urlencoded (an HTML form)',
        (name) => ({
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({ query: CREATE_PROJECT, variables: JSON.stringify({ name }) }).toString(),
        }),
      ],
      [
        'multipart/form-data (an HTML form, GraphQL multipart request)',
        (name) => {
          const form = new FormData();
          form.set('operations', JSON.stringify({ query: CREATE_PROJECT, variables: { name } }));
          form.set('map', '{}');
          return { headers: {}, body: form }; // fetch adds the multipart boundary
        },
      ],
      [
        'application/graphql',
        (name) => ({
          headers: { 'content-type': 'application/graphql' },
          body: `mutation { createProject(input: { name: "${name}" }) { id } }`,
        }),
      ],
    ])('with a body of type %s', async (_label, make) => {
      // yoga can parse these, so only the CSRF check's "JSON only" rule stands in the way.
      const name = projectName('form');
      const before = await ownedProjectCount();
      const { headers, body } = make(name);
      const res = await rawPost(t, { ...headers, cookie: owner.cookie! }, body);
      expectRefused(res);
      expect(await projectsNamed(name)).toEqual([]);
      expect(await ownedProjectCount()).toBe(before);
    });

    it('as a cross-site GET (a link or an image), which a SameSite=Lax cookie still rides along with', async () => {
      const name = projectName('get');
      const before = await ownedProjectCount();
      const url = new URL('http://localhost:4000/graphql');
      url.searchParams.set('query', CREATE_PROJECT);
      url.searchParams.set('variables', JSON.stringify({ name }));
      const res = await t.app.yoga.fetch(url, { method: 'GET', headers: { cookie: owner.cookie!, 'sec-fetch-site': 'cross-site' } });
      // yoga refuses a mutation over GET (405) even before the CSRF check would.
      const body = (await res.json()) as RawResult['body'];
      expect(res.status).toBeGreaterThanOrEqual(400);
      expect(body?.data ?? null).toBeNull();
      expect(body?.errors).toHaveLength(1);
      expect(await projectsNamed(name)).toEqual([]);
      expect(await ownedProjectCount()).toBe(before);
    });
  });

  describe('a cookie-authenticated createProject succeeds', () => {
    it.each([
      ['from the public URL as Origin', { origin: 'http://localhost:4000' }],
      ['with Sec-Fetch-Site: same-origin', { 'sec-fetch-site': 'same-origin' }],
      ['with Sec-Fetch-Site: same-origin and the public Origin', { 'sec-fetch-site': 'same-origin', origin: 'http://localhost:4000' }],
      ['with Sec-Fetch-Site: none (typed by the user)', { 'sec-fetch-site': 'none' }],
      ['with neither header (a non-browser client)', {}],
    ])('%s', async (_label, headers) => {
      const name = projectName('allowed');
      const res = await owner.gql(CREATE_PROJECT, { name }, headers);
      expect(res.errors).toBeUndefined();
      expect(res.data.createProject.name).toBe(name);
      expect(await projectsNamed(name)).toEqual([{ id: res.data.createProject.id, name }]);
    });

    it('with application/json; charset=utf-8 sent raw', async () => {
      const name = projectName('raw');
      const res = await rawPost(
        t,
        { 'content-type': 'application/json; charset=utf-8', cookie: owner.cookie!, origin: 'http://localhost:4000' },
        JSON.stringify({ query: CREATE_PROJECT, variables: { name } }),
      );
      expect(res.body?.errors).toBeUndefined();
      expect(await projectsNamed(name)).toHaveLength(1);
    });
  });

  describe('bearer requests are not cookie-authenticated and are not refused', () => {
    it('a personal access token from a foreign origin creates a project', async () => {
      const created = await owner.gql('mutation { createPersonalAccessToken(name: "csrf test", readOnly: false) { secret } }');
      expect(created.errors).toBeUndefined();
      const pat = new TestClient(t.app, created.data.createPersonalAccessToken.secret);
      const name = projectName('pat');
      const res = await pat.gql(CREATE_PROJECT, { name }, { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' });
      expect(res.errors).toBeUndefined();
      expect(await projectsNamed(name)).toHaveLength(1);
    });

    it('an ingest key from a foreign origin ingests', async () => {
      const { ingest } = await t.projectWithKey();
      const res = await ingest.gql('mutation { ingest(spans: []) { accepted } }', {}, {
        origin: 'https://evil.example',
        'sec-fetch-site': 'cross-site',
      });
      expect(res.errors).toBeUndefined();
      expect(res.data.ingest.accepted).toBe(0);
    });

    it('a bearer token wins over a cookie sent alongside it, so the cookie cannot smuggle a forged request', async () => {
      // The browser adds the cookie, but a foreign page cannot add our Authorization header;
      // with both present the request acts as the token, not as the cookie's session.
      const other = await t.signUp('Token owner');
      const created = await other.client.gql('mutation { createPersonalAccessToken(name: "t", readOnly: false) { secret } }');
      const pat = new TestClient(t.app, created.data.createPersonalAccessToken.secret);
      const res = await pat.gql('{ viewer { id } }', {}, { cookie: owner.cookie!, origin: 'https://evil.example' });
      expect(res.errors).toBeUndefined();
      expect(res.data.viewer.id).toBe(other.userId);
    });
  });

  it('an anonymous sign-up from a foreign origin is refused too (login CSRF would sign the victim into the attacker\'s account)', async () => {
    const email = `csrf-${Date.now()}@example.com`;
    const res = await t.anonymous().gql(
      'mutation($i: SignUpInput!) { signUp(input: $i) { user { id } } }',
      { i: { email, password: 'correct horse battery staple' } },
      { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' },
    );
    expect(res.status).toBe(403);
    expect(res.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(res.headers.getSetCookie()).toEqual([]);
    const row = await t.app.deps.db.selectFrom('users').select('id').where('email', '=', email).executeTakeFirst();
    expect(row).toBeUndefined();
  });

  it('a cookie-authenticated read from a foreign origin is refused too (no cross-site reads of private data)', async () => {
    const res = await owner.gql('{ viewer { id email } }', {}, { origin: 'https://evil.example' });
    expect(res.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(res.data ?? null).toBeNull();

    // A GET query is what a cross-site link or <script src> would send, with the Lax cookie.
    const url = new URL('http://localhost:4000/graphql');
    url.searchParams.set('query', '{ viewer { id email } }');
    const get = await t.app.yoga.fetch(url, { method: 'GET', headers: { cookie: owner.cookie!, 'sec-fetch-site': 'cross-site' } });
    const body = (await get.json()) as RawResult['body'];
    expect(body?.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(body?.data ?? null).toBeNull();
    expect(JSON.stringify(body)).not.toContain(ownerId);

    // The same GET from the dashboard itself is answered.
    const own = await t.app.yoga.fetch(url, { method: 'GET', headers: { cookie: owner.cookie!, 'sec-fetch-site': 'same-origin' } });
    expect(((await own.json()) as RawResult['body'])?.data?.viewer?.id).toBe(ownerId);
  });
});
