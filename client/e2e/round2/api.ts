import { randomBytes } from 'node:crypto';
import type { APIRequestContext, BrowserContext } from 'playwright-core';
import { CaseFailure } from './harness';

// Test data set up through the API rather than clicked together: each case starts from the
// state it is about, and the browser context holds the session cookie the API call set.

export const PASSWORD = 'e2e correct horse battery';

export const uniqueEmail = (label: string) => `${label}-${randomBytes(4).toString('hex')}@example.com`;

async function post(request: APIRequestContext, url: string, query: string, variables: Record<string, unknown>, bearer?: string): Promise<any> {
  const res = await request.post(`${url}/graphql`, {
    headers: { 'content-type': 'application/json', ...(bearer ? { authorization: `Bearer ${bearer}` } : {}) },
    data: { query, variables },
  });
  const body = (await res.json()) as { data?: any; errors?: unknown[] };
  if (body.errors) throw new CaseFailure(`GraphQL error: ${JSON.stringify(body.errors)}`);
  return body.data;
}

/** A GraphQL caller that acts as the user signed in to `context`. */
export function apiOf(context: BrowserContext, url: string) {
  return (query: string, variables: Record<string, unknown> = {}) => post(context.request, url, query, variables);
}

/** Signs a fresh user up inside `context`: its pages are signed in as them. */
export async function signUpIn(context: BrowserContext, url: string, name: string, email = uniqueEmail(name.split(' ')[0]!.toLowerCase())): Promise<{ email: string; id: string }> {
  const data = await apiOf(context, url)('mutation($i: SignUpInput!) { signUp(input: $i) { user { id } } }', { i: { email, password: PASSWORD, name } });
  return { email, id: data.signUp.user.id };
}

export async function createProject(context: BrowserContext, url: string, name: string): Promise<string> {
  const data = await apiOf(context, url)('mutation($n: String!) { createProject(input: { name: $n }) { id } }', { n: name });
  return data.createProject.id;
}

export async function createIngestKey(context: BrowserContext, url: string, projectId: string): Promise<string> {
  const data = await apiOf(context, url)('mutation($p: ID!) { createApiKey(projectId: $p, name: "e2e") { secret } }', { p: projectId });
  return data.createApiKey.secret;
}

export async function addMember(context: BrowserContext, url: string, projectId: string, email: string, role: 'VIEWER' | 'ADMIN' | 'OWNER'): Promise<void> {
  await apiOf(context, url)('mutation($p: ID!, $e: String!, $r: Role!) { addProjectMember(projectId: $p, email: $e, role: $r) { role } }', { p: projectId, e: email, r: role });
}

const INGEST = 'mutation($s: [SpanInput!]!) { ingest(spans: $s) { accepted rejected { index reason } } }';

export async function ingest(context: BrowserContext, url: string, secret: string, spans: Record<string, unknown>[]): Promise<void> {
  const data = await post(context.request, url, INGEST, { s: spans }, secret);
  if (data.ingest.rejected.length > 0) throw new CaseFailure(`spans rejected: ${JSON.stringify(data.ingest.rejected)}`);
}

export const iso = (ms: number) => new Date(ms).toISOString();
export const rid = () => randomBytes(4).toString('hex');
