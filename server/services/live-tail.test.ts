import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, INGEST, span, type TestApp, type TestClient } from '../testing/test-app';

// spanIngested over server-sent events, as a browser's EventSource or graphql-sse would use it.

async function firstEvent(t: TestApp, client: TestClient, projectId: string, trigger: () => Promise<unknown>) {
  const controller = new AbortController();
  const res = await t.app.yoga.fetch('http://localhost:4000/graphql', {
    method: 'POST',
    signal: controller.signal,
    headers: {
      'content-type': 'application/json',
      accept: 'text/event-stream',
      ...(client.cookie ? { cookie: client.cookie } : {}),
      ...(client.bearer ? { authorization: `Bearer ${client.bearer}` } : {}),
    },
    body: JSON.stringify({
      query: 'subscription($p: ID!) { spanIngested(projectId: $p) { id name model input } }',
      variables: { p: projectId },
    }),
  });
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  let triggered = false;
  const timeout = setTimeout(() => controller.abort(), 10_000);
  try {
    for (;;) {
      if (!triggered) {
        triggered = true;
        // Give the subscription a moment to attach before publishing.
        setTimeout(() => void trigger(), 100);
      }
      const { value, done } = await reader.read();
      if (done) break;
      buffer += decoder.decode(value, { stream: true });
      const match = /event: next\ndata: (.*)\n/.exec(buffer);
      if (match) return JSON.parse(match[1]!);
    }
    throw new Error(`stream ended: ${buffer}`);
  } finally {
    clearTimeout(timeout);
    controller.abort();
  }
}

describe('live tail', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  it('streams each stored span to a member of the project', async () => {
    const { owner, projectId, ingest } = await t.projectWithKey();
    const s = span({ name: 'live-one' });
    const event = await firstEvent(t, owner, projectId, () => ingest.gql(INGEST, { spans: [s] }));
    expect(event.data.spanIngested).toMatchObject({ id: s.id, name: 'live-one', model: 'gpt-4o-mini', input: s.input });
  });

  it('refuses a non-member', async () => {
    const { projectId, ingest } = await t.projectWithKey();
    const { client: stranger } = await t.signUp();
    const event = await firstEvent(t, stranger, projectId, () => ingest.gql(INGEST, { spans: [span()] })).catch(
      (err: Error) => ({ streamError: err.message }),
    );
    expect(JSON.stringify(event)).toMatch(/FORBIDDEN/);
  });
});

describe('live tail after sign-out', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  it('ends the stream of a session that signed out', async () => {
    const { owner, projectId, ingest } = await t.projectWithKey();
    const controller = new AbortController();
    const res = await t.app.yoga.fetch('http://localhost:4000/graphql', {
      method: 'POST',
      signal: controller.signal,
      headers: { 'content-type': 'application/json', accept: 'text/event-stream', cookie: owner.cookie! },
      body: JSON.stringify({ query: 'subscription($p: ID!) { spanIngested(projectId: $p) { id } }', variables: { p: projectId } }),
    });
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    let text = '';
    const readUntil = async (pattern: RegExp, ms: number) => {
      const deadline = Date.now() + ms;
      while (!pattern.test(text) && Date.now() < deadline) {
        const chunk = await Promise.race([reader.read(), new Promise<null>((r) => setTimeout(() => r(null), deadline - Date.now()))]);
        if (chunk === null || chunk.done) return chunk === null ? 'timeout' : 'ended';
        text += decoder.decode(chunk.value, { stream: true });
      }
      return pattern.test(text) ? 'matched' : 'timeout';
    };
    const before = span();
    setTimeout(() => void ingest.gql(INGEST, { spans: [before] }), 100);
    expect(await readUntil(new RegExp(String(before.id)), 10_000)).toBe('matched');

    const cookie = owner.cookie!;
    await owner.gql('mutation { signOut }');
    await new Promise((r) => setTimeout(r, 1_500)); // past the access re-check interval (1 s)
    const after = span();
    await ingest.gql(INGEST, { spans: [after] });
    const outcome = await readUntil(new RegExp(String(after.id)), 3_000);
    controller.abort();
    expect(outcome).not.toBe('matched');
    expect(text).not.toContain(String(after.id));
    expect(cookie).toBeTruthy();
  });
});
