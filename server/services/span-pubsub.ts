import { createRedisEventTarget } from '@graphql-yoga/redis-event-target';
import { Repeater, SlidingBuffer, type PubSubEventTarget } from 'graphql-yoga';
import type { Redis } from 'ioredis';
import type { SpanModel } from './models';
import { spanEventSerializer } from './span-event-serializer';

// Live tail of ingested spans. In-process by default; a Redis event target makes it shared by
// several server instances, the cluster's (cluster/span-event-relay.ts) by its workers.
//
// One event per stored batch, on the topic `spans:ingested:<project>`: publishing costs one event
// (one Redis PUBLISH, one IPC message) per batch, not one per span.
//
// Each subscriber has a buffer of its own. graphql-yoga's createPubSub takes one buffer instance
// for all its subscriptions, and a repeater reads whatever its buffer holds: a subscriber that fell
// behind left its project's spans in the shared buffer for the next subscriber to read, whatever
// project that one watched.

export type SpanEvents = { 'spans:ingested': [projectId: string, spans: readonly SpanModel[]] };

/** A subscriber that falls behind by more spans than this loses its oldest unsent ones instead of growing memory. */
export const LIVE_TAIL_BUFFER_SPANS = 1000;

const topicOf = (projectId: string) => `spans:ingested:${projectId}`;

export interface SpanPubSub {
  /** A stored batch's spans (all of `projectId`), to the project's subscribers on every instance. */
  publish(projectId: string, spans: readonly SpanModel[]): void;
  /** The project's spans, one at a time, from now until the iteration is returned. */
  subscribe(projectId: string): Repeater<SpanModel>;
}

export function createSpanPubSub(eventTarget?: PubSubEventTarget<SpanEvents>): SpanPubSub {
  const target = eventTarget ?? (new EventTarget() as unknown as PubSubEventTarget<SpanEvents>);
  return {
    publish(projectId, spans) {
      if (spans.length === 0) return;
      target.dispatchEvent(new CustomEvent(topicOf(projectId), { detail: spans }) as never);
    },
    subscribe(projectId) {
      const topic = topicOf(projectId);
      return new Repeater<SpanModel>((push, stop) => {
        const listener = (event: Event) => {
          for (const span of (event as CustomEvent<readonly SpanModel[]>).detail) void push(span);
        };
        target.addEventListener(topic as never, listener as never);
        void stop.then(() => target.removeEventListener(topic as never, listener as never));
      }, new SlidingBuffer(LIVE_TAIL_BUFFER_SPANS));
    },
  };
}

/** Spans published on any instance reach subscribers on every instance using this Redis. */
export function createRedisSpanEventTarget(clients: { publisher: Redis; subscriber: Redis }): PubSubEventTarget<SpanEvents> {
  return createRedisEventTarget({
    publishClient: clients.publisher,
    subscribeClient: clients.subscriber,
    // Spans carry Dates, which plain JSON would hand to the resolvers as strings.
    serializer: spanEventSerializer,
  });
}
