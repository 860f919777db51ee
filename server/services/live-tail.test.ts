import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { firstSpanEvent, spanEvents } from '../testing/live-tail';
import { createTestApp, INGEST, span, type TestApp, type TestClient } from '../testing/test-app';

// spanIngested over server-sent events, as a browser's EventSource or graphql-sse would use it.

const firstEvent = (t: TestApp, client: TestClient, projectId: string, trigger: () => Promise<unknown>) =>
  firstSpanEvent(t, client, projectId, 'id name model input', trigger, 100);

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

  it("streams every span of a batch to its project's subscribers, and none to another project's", async () => {
    const a = await t.projectWithKey();
    const b = await t.projectWithKey();
    const batchA = [span({ name: 'a-1' }), span({ name: 'a-2' }), span({ name: 'a-3' })];
    const batchB = [span({ name: 'b-1' }), span({ name: 'b-2' })];
    const ingestBoth = async () => {
      await b.ingest.gql(INGEST, { spans: batchB });
      await a.ingest.gql(INGEST, { spans: batchA });
      await b.ingest.gql(INGEST, { spans: [span({ name: 'b-3' })] });
    };
    let started: Promise<unknown> | undefined;
    const once = () => (started ??= ingestBoth());
    const [eventsA, eventsB] = await Promise.all([
      spanEvents(t, a.owner, a.projectId, 'name', once, 3),
      spanEvents(t, b.owner, b.projectId, 'name', once, 3),
    ]);
    // Within a batch, spans come in id order (the merge stage's), not as sent.
    expect(eventsA.map((e) => e.data.spanIngested.name).sort()).toEqual(['a-1', 'a-2', 'a-3']);
    expect(eventsB.map((e) => e.data.spanIngested.name).sort()).toEqual(['b-1', 'b-2', 'b-3']);
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
