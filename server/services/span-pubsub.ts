import { createRedisEventTarget } from '@graphql-yoga/redis-event-target';
import { createPubSub, SlidingBuffer, type PubSubEventTarget } from 'graphql-yoga';
import type { Redis } from 'ioredis';
import type { SpanModel } from './models';
import { spanEventSerializer } from './span-event-serializer';

// Live tail of ingested spans. In-process by default; a Redis event target makes it shared
// by several server instances.

type Events = { 'span:ingested': [projectId: string, span: SpanModel] };

export function createSpanPubSub(eventTarget?: PubSubEventTarget<Events>) {
  return createPubSub<Events>({
    ...(eventTarget ? { eventTarget } : {}),
    // A slow live-tail client drops its oldest unsent spans instead of erroring or growing memory.
    repeaterBuffer: new SlidingBuffer(1000),
  });
}

/** Spans published on any instance reach subscribers on every instance using this Redis. */
export function createRedisSpanEventTarget(clients: { publisher: Redis; subscriber: Redis }): PubSubEventTarget<Events> {
  return createRedisEventTarget({
    publishClient: clients.publisher,
    subscribeClient: clients.subscriber,
    // Spans carry Dates, which plain JSON would hand to the resolvers as strings.
    serializer: spanEventSerializer,
  });
}

export type SpanPubSub = ReturnType<typeof createSpanPubSub>;
