import cluster, { type Worker } from 'node:cluster';
import type { PubSubEventTarget } from 'graphql-yoga';
import type { SpanEvents } from '../services/span-pubsub';
import { spanEventSerializer } from '../services/span-event-serializer';

// Live tail across the workers of a cluster without Redis: the primary relays.
//
// Each worker tells the primary which topics (spans:ingested:<project>) it has subscribers for;
// the primary tells every worker which *other* workers listen to each topic. A worker then
// sends an event to the primary only when another worker listens, so ingest pays no IPC while
// nobody watches the live tail, and the primary forwards it to exactly those workers. Events
// are dispatched in the publishing worker directly, as with the in-process default.
//
// A subscription attaches within one IPC round trip; events published elsewhere meanwhile are
// missed, as they would be before a browser's subscription reached any server.

const CHANNEL = 'tokentrace:live-tail';

type WorkerMessage =
  | { channel: typeof CHANNEL; type: 'listen' | 'unlisten'; topic: string }
  | { channel: typeof CHANNEL; type: 'event'; topic: string; detail: string };

type PrimaryMessage =
  | { channel: typeof CHANNEL; type: 'listeners'; topic: string; workers: number[] }
  | { channel: typeof CHANNEL; type: 'event'; topic: string; detail: string };

const isOurs = (msg: unknown): msg is { channel: string; type: string } =>
  typeof msg === 'object' && msg !== null && (msg as { channel?: unknown }).channel === CHANNEL;

/** In the primary: keeps who listens to what, forwards events. Returns a stop function. */
export function relaySpanEvents(): () => void {
  const listeners = new Map<string, Set<number>>();
  const tell = (topic: string, to: Iterable<Worker | undefined>) => {
    const msg: PrimaryMessage = { channel: CHANNEL, type: 'listeners', topic, workers: [...(listeners.get(topic) ?? [])] };
    for (const w of to) if (w?.isConnected()) w.send(msg);
  };
  const onMessage = (worker: Worker, msg: unknown) => {
    if (!isOurs(msg)) return;
    const m = msg as WorkerMessage;
    if (m.type === 'event') {
      for (const id of listeners.get(m.topic) ?? []) {
        const target = cluster.workers?.[id];
        if (id !== worker.id && target?.isConnected()) target.send({ channel: CHANNEL, type: 'event', topic: m.topic, detail: m.detail } satisfies PrimaryMessage);
      }
      return;
    }
    const set = listeners.get(m.topic) ?? new Set<number>();
    if (m.type === 'listen') set.add(worker.id);
    else set.delete(worker.id);
    if (set.size === 0) listeners.delete(m.topic);
    else listeners.set(m.topic, set);
    tell(m.topic, Object.values(cluster.workers ?? {}));
  };
  // A worker that exits stops listening to everything.
  const onExit = (worker: Worker) => {
    for (const [topic, set] of listeners) {
      if (!set.delete(worker.id)) continue;
      if (set.size === 0) listeners.delete(topic);
      tell(topic, Object.values(cluster.workers ?? {}));
    }
  };
  // A worker that starts learns who listens already.
  const onOnline = (worker: Worker) => {
    for (const topic of listeners.keys()) tell(topic, [worker]);
  };
  cluster.on('message', onMessage);
  cluster.on('exit', onExit);
  cluster.on('online', onOnline);
  return () => {
    cluster.off('message', onMessage);
    cluster.off('exit', onExit);
    cluster.off('online', onOnline);
  };
}

type Listener = EventListenerOrEventListenerObject;

/** In a worker: the live tail's event target, local dispatch plus the primary's relay. */
export function createClusterSpanEventTarget(): PubSubEventTarget<SpanEvents> {
  const myId = cluster.worker?.id;
  if (!process.send || myId === undefined) throw new Error('the cluster event target runs in a cluster worker');
  const send = (msg: WorkerMessage) => {
    if (process.connected) process.send!(msg);
  };
  const callbacks = new Map<string, Set<Listener>>();
  /** Other workers listening to each topic, as the primary last said. */
  const remote = new Map<string, number>();
  const dispatchLocal = (topic: string, detail: unknown) => {
    const set = callbacks.get(topic);
    if (!set) return;
    const event = new CustomEvent(topic, { detail });
    for (const listener of set) {
      if (typeof listener === 'function') listener(event);
      else listener.handleEvent(event);
    }
  };
  process.on('message', (msg: unknown) => {
    if (!isOurs(msg)) return;
    const m = msg as PrimaryMessage;
    if (m.type === 'listeners') {
      const others = m.workers.filter((id) => id !== myId).length;
      if (others > 0) remote.set(m.topic, others);
      else remote.delete(m.topic);
    } else if (callbacks.has(m.topic)) {
      dispatchLocal(m.topic, spanEventSerializer.parse(m.detail));
    }
  });
  return {
    addEventListener(topic: string, listener: Listener | null) {
      if (!listener) return;
      let set = callbacks.get(topic);
      if (!set) {
        set = new Set();
        callbacks.set(topic, set);
        send({ channel: CHANNEL, type: 'listen', topic });
      }
      set.add(listener);
    },
    removeEventListener(topic: string, listener: Listener | null) {
      if (!listener) return;
      const set = callbacks.get(topic);
      if (!set) return;
      set.delete(listener);
      if (set.size > 0) return;
      callbacks.delete(topic);
      send({ channel: CHANNEL, type: 'unlisten', topic });
    },
    dispatchEvent(event: Event) {
      const { type, detail } = event as CustomEvent;
      dispatchLocal(type, detail);
      if (remote.has(type)) send({ channel: CHANNEL, type: 'event', topic: type, detail: spanEventSerializer.stringify(detail) });
      return true;
    },
  } as unknown as PubSubEventTarget<SpanEvents>;
}
