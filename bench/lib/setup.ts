import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import type { App } from '../../server/app';
import { createHttpServer } from '../../server/http/server';

// The real server on an ephemeral port, and the setup calls a user makes through its API.

export async function listen(app: App): Promise<{ server: Server; endpoint: string; close(): Promise<void> }> {
  const server = createHttpServer(app);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  return {
    server,
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** One GraphQL call over HTTP; returns the data and the session cookie, if one was set. */
export async function graphql<T>(endpoint: string, query: string, variables: Record<string, unknown>, cookie?: string) {
  const res = await fetch(endpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(cookie ? { cookie } : {}) },
    body: JSON.stringify({ query, variables }),
    signal: AbortSignal.timeout(30_000),
  });
  const body = (await res.json()) as { data?: T; errors?: unknown[] };
  if (res.status !== 200 || body.errors || !body.data) {
    throw new Error(`GraphQL setup call failed (HTTP ${res.status}): ${JSON.stringify(body.errors ?? body).slice(0, 500)}`);
  }
  const setCookie = res.headers.getSetCookie().find((c) => c.startsWith('tt_session='));
  return { data: body.data, cookie: setCookie?.split(';')[0] };
}

/** Sign up, create a project, create an ingest key: what a new user does first. */
export async function createIngestKey(endpoint: string, options: { piiRedaction?: boolean } = {}): Promise<{ projectId: string; secret: string }> {
  const email = `bench-${randomBytes(5).toString('hex')}@example.com`;
  const signUp = await graphql<{ signUp: { user: { id: string } } }>(
    endpoint,
    'mutation($input: SignUpInput!) { signUp(input: $input) { user { id } } }',
    { input: { email, password: `bench ${randomBytes(12).toString('hex')}`, name: 'Bench' } },
  );
  const cookie = signUp.cookie;
  if (!cookie) throw new Error('signUp returned no session cookie');
  const project = await graphql<{ createProject: { id: string } }>(
    endpoint,
    'mutation($input: CreateProjectInput!) { createProject(input: $input) { id } }',
    { input: { name: 'ingest bench' } },
    cookie,
  );
  const projectId = project.data.createProject.id;
  if (options.piiRedaction) {
    await graphql(
      endpoint,
      'mutation($p: ID!) { updateProjectSettings(projectId: $p, input: { piiRedaction: true }) { id } }',
      { p: projectId },
      cookie,
    );
  }
  const key = await graphql<{ createApiKey: { secret: string } }>(
    endpoint,
    'mutation($p: ID!) { createApiKey(projectId: $p, name: "bench ingest key") { secret } }',
    { p: projectId },
    cookie,
  );
  return { projectId, secret: key.data.createApiKey.secret };
}

