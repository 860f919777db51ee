import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import { inject } from 'vitest';
import type { PluginEntry } from '../../plugins/core/plugin';
import { createApp, type App } from '../app';
import { loadConfig } from '../config';
import { readMemoryTemplate } from './memory-template';

// Test harness: a real app (real schema, real database, real bcrypt at a low cost) called
// in-process through yoga.fetch — no port, no server.

export interface GraphQLResponse<T = any> {
  status: number;
  headers: Headers;
  data: T;
  errors?: { message: string; path?: (string | number)[]; extensions?: { code?: string; [k: string]: unknown } }[];
}

export class TestClient {
  cookie: string | undefined;
  constructor(
    private readonly app: App,
    public bearer?: string,
  ) {}

  async gql<T = any>(
    query: string,
    variables?: Record<string, unknown>,
    headers: Record<string, string> = {},
  ): Promise<GraphQLResponse<T>> {
    const res = await this.app.yoga.fetch('http://localhost:4000/graphql', {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(this.cookie ? { cookie: this.cookie } : {}),
        ...(this.bearer ? { authorization: `Bearer ${this.bearer}` } : {}),
        ...headers,
      },
      body: JSON.stringify({ query, variables }),
    });
    this.rememberCookie(res.headers);
    const body = (await res.json()) as { data: T; errors?: GraphQLResponse['errors'] };
    return { status: res.status, headers: res.headers, data: body.data, errors: body.errors };
  }

  private rememberCookie(headers: Headers) {
    for (const header of headers.getSetCookie()) {
      const [pair] = header.split(';');
      if (!pair?.startsWith('tt_session=')) continue;
      this.cookie = /Max-Age=0/.test(header) ? undefined : pair;
    }
  }
}

export interface TestApp {
  app: App;
  /** Every SQL statement the app ran, in order; clear it with `queries.length = 0`. */
  queries: string[];
  /** A client with no credentials. */
  anonymous(): TestClient;
  /** Signs up a fresh user; the client carries their session cookie. */
  signUp(name?: string): Promise<{ client: TestClient; userId: string; email: string }>;
  /** A project owned by a fresh user, with an ingest key. */
  projectWithKey(): Promise<{ owner: TestClient; ownerId: string; projectId: string; ingest: TestClient; keyId: string; secret: string }>;
  close(): Promise<void>;
}

export const TEST_PASSWORD = 'correct horse battery staple';

/**
 * The audit signing key of every test app. Fixed, not random per app: on Postgres all test files
 * of a run share one database and so one global audit chain, which every app must verify.
 */
export const TEST_AUDIT_KEYS = `test:${Buffer.alloc(32, 7).toString('base64')}`;

export function uniqueEmail(label = 'user'): string {
  return `${label}-${randomBytes(5).toString('hex')}@example.com`;
}

export interface TestAppOptions {
  /** Replaces the app's logger, e.g. one writing to memory so a test can read what was logged. */
  logger?: Logger;
  /** Plugins to load instead of the config file's (or the built-ins), e.g. a throwing redactor. */
  plugins?: PluginEntry[];
  /** OTLP bodies of at least this many bytes are read in the OTLP read worker (0: every body). */
  otlpReadMinBytes?: number;
  /** GraphQL bodies (over HTTP) of at least this many bytes go to the GraphQL read worker. */
  graphqlReadMinBytes?: number;
}

export async function createTestApp(env: Record<string, string> = {}, options: TestAppOptions = {}): Promise<TestApp> {
  const databaseUrl = inject('testDatabaseUrl');
  const config = loadConfig({
    NODE_ENV: 'test',
    TOKENTRACE_DATA_DIR: 'memory://',
    LOG_LEVEL: 'silent',
    // Test files sign up dozens of users from one address; the sign-up limit has its own test.
    TOKENTRACE_SIGNUP_MAX_PER_IP: '100000',
    TOKENTRACE_AUDIT_KEYS: TEST_AUDIT_KEYS,
    ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
    ...env,
  });
  const queries: string[] = [];
  // Embedded: a new database starts from the global setup's migrated dump (memory-template.ts).
  const templatePath = inject('memoryTemplatePath');
  const dbTemplate = templatePath && !config.databaseUrl ? await readMemoryTemplate(templatePath) : undefined;
  const app = await createApp(config, { logger: options.logger, plugins: options.plugins, onQuery: (sql) => queries.push(sql), dbTemplate, otlpReadMinBytes: options.otlpReadMinBytes, graphqlReadMinBytes: options.graphqlReadMinBytes });

  const signUp: TestApp['signUp'] = async (name = 'Test User') => {
    const client = new TestClient(app);
    const email = uniqueEmail();
    const res = await client.gql(
      'mutation($input: SignUpInput!) { signUp(input: $input) { user { id } } }',
      { input: { email, password: TEST_PASSWORD, name } },
    );
    if (res.errors) throw new Error(`signUp failed: ${JSON.stringify(res.errors)}`);
    return { client, userId: res.data.signUp.user.id as string, email };
  };

  return {
    app,
    queries,
    anonymous: () => new TestClient(app),
    signUp,
    async projectWithKey() {
      const { client: owner, userId: ownerId } = await signUp('Owner');
      const p = await owner.gql('mutation { createProject(input: { name: "test project" }) { id } }');
      if (p.errors) throw new Error(JSON.stringify(p.errors));
      const projectId = p.data.createProject.id as string;
      const k = await owner.gql(
        'mutation($p: ID!) { createApiKey(projectId: $p, name: "test key") { secret apiKey { id } } }',
        { p: projectId },
      );
      if (k.errors) throw new Error(JSON.stringify(k.errors));
      const secret = k.data.createApiKey.secret as string;
      return { owner, ownerId, projectId, ingest: new TestClient(app, secret), keyId: k.data.createApiKey.apiKey.id, secret };
    },
    close: () => app.close(),
  };
}

export const INGEST = `mutation Ingest($spans: [SpanInput!]!) {
  ingest(spans: $spans) { accepted rejected { index id reason } }
}`;

/** A valid span; override any field. */
export function span(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: `span-${randomBytes(6).toString('hex')}`,
    traceId: 'trace-1',
    kind: 'GENERATION',
    name: 'chat',
    model: 'gpt-4o-mini',
    provider: 'openai',
    input: { messages: [{ role: 'user', content: 'hello' }] },
    output: { role: 'assistant', content: 'hi there' },
    promptTokens: 10,
    completionTokens: 5,
    startTime: '2026-11-01T10:00:00.000Z',
    endTime: '2026-11-01T10:00:01.250Z',
    ...overrides,
  };
}
