import { describe, expect, it } from 'vitest';
import type { SpanModel } from './models';
import { createSpanPubSub, LIVE_TAIL_BUFFER_SPANS } from './span-pubsub';

// The live tail's pub/sub on its own (the in-process event target; Redis and the cluster relay
// carry the same events, tested in redis.test.ts and cluster.test.ts).

const spans = (project: string, from: number, count: number) =>
  Array.from({ length: count }, (_, i) => ({ projectId: project, id: `${project}-s${from + i}` }) as SpanModel);
const idOf = (result: IteratorResult<SpanModel>) => (result.done ? 'done' : result.value.id);
/** The read's value if it arrives within a few ticks, else 'nothing' (the read stays pending). */
const within = (read: Promise<IteratorResult<SpanModel>>) =>
  Promise.race([read.then(idOf), new Promise<string>((resolve) => setTimeout(() => resolve('nothing'), 30))]);
const nextNow = (it: AsyncIterator<SpanModel>) => within(it.next());

describe('span pub/sub', () => {
  it('hands a stored batch to a subscriber one span at a time, in order', async () => {
    const pubsub = createSpanPubSub();
    const tail = pubsub.subscribe('p1');
    const first = tail.next();
    pubsub.publish('p1', spans('p1', 0, 3));
    expect(idOf(await first)).toBe('p1-s0');
    expect(idOf(await tail.next())).toBe('p1-s1');
    expect(idOf(await tail.next())).toBe('p1-s2');
    expect(await nextNow(tail)).toBe('nothing');
    await tail.return();
  });

  it("never hands one project's spans to a subscriber of another, however far behind a subscriber is", async () => {
    const pubsub = createSpanPubSub();
    const lagging = pubsub.subscribe('p1');
    const other = pubsub.subscribe('p2');
    const laggingFirst = lagging.next();
    const otherFirst = other.next();
    // p1's subscriber reads one span and falls behind: the rest wait in a buffer.
    pubsub.publish('p1', spans('p1', 0, 5));
    pubsub.publish('p2', spans('p2', 0, 1));
    expect(idOf(await laggingFirst)).toBe('p1-s0');
    expect(idOf(await otherFirst)).toBe('p2-s0');
    const otherSecond = other.next();
    expect(await within(otherSecond)).toBe('nothing');
    pubsub.publish('p2', spans('p2', 1, 1));
    expect(idOf(await otherSecond)).toBe('p2-s1');
    expect(await nextNow(lagging)).toBe('p1-s1');
    await Promise.all([lagging.return(), other.return()]);
  });

  it('gives every subscriber of a project every span', async () => {
    const pubsub = createSpanPubSub();
    const a = pubsub.subscribe('p1');
    const b = pubsub.subscribe('p1');
    const [aFirst, bFirst] = [a.next(), b.next()];
    pubsub.publish('p1', spans('p1', 0, 3));
    const read = async (it: AsyncIterator<SpanModel>, first: Promise<IteratorResult<SpanModel>>) => [idOf(await first), await nextNow(it), await nextNow(it)];
    expect(await read(a, aFirst)).toEqual(['p1-s0', 'p1-s1', 'p1-s2']);
    expect(await read(b, bFirst)).toEqual(['p1-s0', 'p1-s1', 'p1-s2']);
    await Promise.all([a.return(), b.return()]);
  });

  it(`keeps the newest ${LIVE_TAIL_BUFFER_SPANS} unsent spans of a subscriber that falls behind`, async () => {
    const pubsub = createSpanPubSub();
    const tail = pubsub.subscribe('p1');
    const first = tail.next();
    // One span goes to the waiting read; of the rest, the oldest beyond the buffer are dropped.
    pubsub.publish('p1', spans('p1', 0, 1 + LIVE_TAIL_BUFFER_SPANS + 5));
    expect(idOf(await first)).toBe('p1-s0');
    expect(idOf(await tail.next())).toBe('p1-s6');
    await tail.return();
  });

  it('stops delivering once the subscriber returns, and publishing an empty batch is a no-op', async () => {
    const pubsub = createSpanPubSub();
    const tail = pubsub.subscribe('p1');
    const first = tail.next();
    pubsub.publish('p1', []);
    pubsub.publish('p1', spans('p1', 0, 1));
    expect(idOf(await first)).toBe('p1-s0');
    await tail.return();
    pubsub.publish('p1', spans('p1', 1, 1));
    expect(idOf(await tail.next())).toBe('done');
  });
});
