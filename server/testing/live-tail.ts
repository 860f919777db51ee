import type { TestApp, TestClient } from './test-app';

// spanIngested over server-sent events, as a browser's EventSource or graphql-sse would use it:
// subscribes on `t` as `client`, runs `trigger` once the subscription had time to attach, and
// returns the first event (or throws when the stream ends or 10 s pass without one).

export async function firstSpanEvent(
  t: TestApp,
  client: TestClient,
  projectId: string,
  fields: string,
  trigger: () => Promise<unknown>,
  /** How long the subscription may take to attach (auth checks; SUBSCRIBE when on Redis). */
  attachMs = 300,
): Promise<any> {
  return (await spanEvents(t, client, projectId, fields, trigger, 1, attachMs))[0];
}

/** As firstSpanEvent, the first `count` events, in the order they came. */
export async function spanEvents(
  t: TestApp,
  client: TestClient,
  projectId: string,
  fields: string,
  trigger: () => Promise<unknown>,
  count: number,
  attachMs = 300,
): Promise<any[]> {
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
      query: `subscription($p: ID!) { spanIngested(projectId: $p) { ${fields} } }`,
      variables: { p: projectId },
    }),
  });
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  const timeout = setTimeout(() => controller.abort(), 10_000);
  setTimeout(() => void trigger(), attachMs);
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += decoder.decode(value, { stream: true });
      const events = [...buffer.matchAll(/event: next\ndata: (.*)\n/g)].map((m) => JSON.parse(m[1]!));
      if (events.length >= count) return events.slice(0, count);
    }
    throw new Error(`stream ended: ${buffer}`);
  } finally {
    clearTimeout(timeout);
    controller.abort();
  }
}
