import type { SpanInput } from '../generated/graphql.js';
import { TokentraceError, messageOf, type RejectedSpan } from '../errors.js';
import type { SpanHandle } from '../tracing/span-handle.js';
import { postBatch, type PostConfig } from './post-batch.js';
import { backoffDelay } from './retry-policy.js';
import { toSpanInput } from './serialize.js';

// The queue between the app and the server. The app's thread only pushes; sending runs in the
// background, one batch at a time, oldest first:
//
//   enqueue ── (flushAt reached | interval | flush() | beforeExit) ──▶ run: batch → post → retry?
//
// Ordering makes flush() exact: every span has a sequence number, spans leave the queue in that
// order (sent, rejected or given up), so "everything queued before this call is done" is one
// comparison. No timer keeps the process alive; a final attempt is made on `beforeExit`.

export interface TransportConfig extends PostConfig {
  flushAt: number;
  flushIntervalMs: number;
  maxQueueSize: number;
  maxRetries: number;
  retryDelayMs: number;
  maxRetryDelayMs: number;
  report: (error: TokentraceError) => void;
}

export interface TransportStats {
  /** Spans waiting or being sent. */
  queued: number;
  /** Spans the server accepted. */
  sent: number;
  /** Spans the server refused (batch or span), or that were given up after retries. */
  failed: number;
  /** Spans dropped because the queue was full. */
  dropped: number;
}

interface Waiter {
  seq: number;
  resolve: () => void;
}

export class Transport {
  private queue: (SpanHandle | undefined)[] = [];
  private head = 0;
  /** Spans ever enqueued; the n-th has sequence number n. */
  private enqueued = 0;
  /** Spans that left the queue (sent, refused or given up): all with seq ≤ done. */
  private done = 0;
  /** Send partial batches until this sequence number is done (interval, flush, exit). */
  private drainTo = 0;
  private sending = false;
  private scheduled = false;
  private closed = false;
  private exiting = false;
  private deadline = Number.POSITIVE_INFINITY;
  private dropReported = false;
  private waiters: Waiter[] = [];
  private wake: (() => void) | undefined;
  private sleepTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly interval: ReturnType<typeof setInterval>;
  private readonly counters = { sent: 0, failed: 0, dropped: 0 };
  private readonly onBeforeExit = (): void => {
    if (this.enqueued === this.done) return;
    // The event loop is empty: one last immediate attempt, no backoff sleeps (their unref'd
    // timers would not hold the process, and beforeExit would fire again in a loop).
    this.exiting = true;
    this.drain();
    this.wake?.();
  };

  constructor(private readonly config: TransportConfig) {
    this.interval = setInterval(() => {
      if (this.enqueued !== this.done) this.drain();
    }, config.flushIntervalMs);
    this.interval.unref();
    process.on('beforeExit', this.onBeforeExit);
  }

  stats(): TransportStats {
    return { queued: this.enqueued - this.done, sent: this.counters.sent, failed: this.counters.failed, dropped: this.counters.dropped };
  }

  /** On the app's path: O(1), never throws, never does I/O. */
  enqueue(span: SpanHandle): void {
    if (this.closed) return;
    const pending = this.enqueued - this.done;
    if (pending >= this.config.maxQueueSize) {
      this.counters.dropped++;
      if (!this.dropReported) {
        this.dropReported = true;
        this.config.report(
          new TokentraceError('QUEUE_FULL', `queue full (maxQueueSize ${this.config.maxQueueSize}): dropping new spans until it drains`, {
            dropped: this.counters.dropped,
          }),
        );
      }
      return;
    }
    this.queue.push(span);
    this.enqueued++;
    if (pending + 1 >= this.config.flushAt && !this.sending && !this.scheduled) {
      // Not now: JSON-encoding a batch would land on the end() call that filled it.
      this.scheduled = true;
      setImmediate(() => {
        this.scheduled = false;
        void this.run();
      });
    }
  }

  /** Resolves when every span queued before the call was sent or given up. */
  flush(): Promise<void> {
    const seq = this.enqueued;
    if (this.done >= seq) return Promise.resolve();
    const promise = new Promise<void>((resolve) => this.waiters.push({ seq, resolve }));
    // Someone awaits this flush: a backoff sleep now holds the process open (an unref'd one
    // would let a script's `await tt.flush()` end the process mid-outage, losing the spans).
    this.sleepTimer?.ref();
    this.drain();
    return promise;
  }

  /** Flushes, retrying until `timeoutMs` at most, then gives up what is left. No spans are taken after. */
  async shutdown(timeoutMs: number): Promise<void> {
    this.closed = true;
    clearInterval(this.interval);
    process.off('beforeExit', this.onBeforeExit);
    this.deadline = Date.now() + timeoutMs;
    const flushed = this.flush();
    this.wake?.(); // a backoff sleep longer than the deadline is cut short
    await flushed;
  }

  /** Send partial batches too, up to what is queued now. Does not cut a backoff sleep short. */
  private drain(): void {
    this.drainTo = this.enqueued;
    void this.run();
  }

  private async run(): Promise<void> {
    if (this.sending) return;
    this.sending = true;
    try {
      for (;;) {
        const pending = this.enqueued - this.done;
        if (pending === 0) break;
        if (pending < this.config.flushAt && this.drainTo <= this.done && !this.closed) break;
        const count = Math.min(pending, this.config.flushAt);
        const batch = this.queue.slice(this.head, this.head + count) as SpanHandle[];
        if (Date.now() >= this.deadline) {
          this.giveUp(batch.map((s) => s.id), 'shutdown deadline passed before the server accepted them');
        } else {
          await this.deliver(batch.map(toSpanInput));
        }
        this.release(count);
      }
    } catch (error) {
      this.config.report(new TokentraceError('INTERNAL', `send loop failed: ${messageOf(error)}`, { cause: error }));
    } finally {
      this.sending = false;
      this.exiting = false;
      if (this.enqueued === this.done) this.dropReported = false;
      this.resolveWaiters();
    }
  }

  private release(count: number): void {
    for (let i = this.head; i < this.head + count; i++) this.queue[i] = undefined;
    this.head += count;
    this.done += count;
    if (this.head === this.queue.length) {
      this.queue = [];
      this.head = 0;
    } else if (this.head >= 1024 && this.head * 2 >= this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
    this.resolveWaiters();
  }

  private resolveWaiters(): void {
    if (this.waiters.length === 0) return;
    const still: Waiter[] = [];
    for (const w of this.waiters) (this.done >= w.seq ? w.resolve() : still.push(w));
    this.waiters = still;
  }

  /** One batch until it is stored, refused, or given up. */
  private async deliver(spans: SpanInput[]): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      const outcome = await postBatch(spans, this.config);
      if (outcome.kind === 'ok') {
        this.counters.sent += spans.length - outcome.rejected.length;
        if (outcome.rejected.length > 0) {
          this.counters.failed += outcome.rejected.length;
          const rejected: RejectedSpan[] = outcome.rejected.map((r) => ({ id: r.id ?? spans[r.index]?.id ?? '?', reason: r.reason }));
          this.config.report(new TokentraceError('SPANS_REJECTED', `server rejected ${rejected.length} of ${spans.length} spans: ${rejected[0]?.reason}`, { spans: rejected }));
        }
        return;
      }
      if (outcome.kind === 'fatal') {
        if (outcome.tooLarge && spans.length > 1) {
          // The batch is over the server's size limit, not the spans: halve it.
          const half = Math.ceil(spans.length / 2);
          await this.deliver(spans.slice(0, half));
          await this.deliver(spans.slice(half));
          return;
        }
        this.counters.failed += spans.length;
        this.config.report(
          new TokentraceError('BATCH_REJECTED', `server refused ${spans.length} spans (not retried): ${outcome.message}`, {
            status: outcome.status,
            spans: spans.map((s) => ({ id: s.id, reason: outcome.message })),
          }),
        );
        return;
      }
      const delay = Math.max(backoffDelay(attempt, this.config.retryDelayMs, this.config.maxRetryDelayMs), outcome.retryAfterMs ?? 0);
      if (attempt >= this.config.maxRetries || this.exiting || Date.now() + delay > this.deadline) {
        this.giveUp(spans.map((s) => s.id), `after ${attempt + 1} attempts: ${outcome.message}`, outcome.status);
        return;
      }
      await this.sleep(delay);
    }
  }

  private giveUp(ids: string[], why: string, status?: number): void {
    this.counters.failed += ids.length;
    this.config.report(
      new TokentraceError('SEND_FAILED', `gave up sending ${ids.length} spans ${why}`, { ...(status === undefined ? {} : { status }), spans: ids.map((id) => ({ id, reason: why })) }),
    );
  }

  /** A sleep that drain()/shutdown() can cut short; unref'd unless a flush() is awaited. */
  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      if (this.waiters.length === 0) timer.unref();
      this.sleepTimer = timer;
      const self = this;
      function done(): void {
        clearTimeout(timer);
        if (self.sleepTimer === timer) self.sleepTimer = undefined;
        resolve();
      }
      this.wake = () => {
        this.wake = undefined;
        done();
      };
    });
  }
}
