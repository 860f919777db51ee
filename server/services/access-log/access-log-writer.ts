import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import { insertContentAccessRows, type NewContentAccessRow } from '../../db/repositories/content-access-log';
import type { Database } from '../../db/tables';

// Writes content reads in batches, off the reader's path: a read adds to a buffer in memory,
// and the buffer goes to the database in one multi-row insert every FLUSH_MS, or at once when
// it fills. The cost to a reader is a push, not a round trip.
//
// What it does not promise: entries still in the buffer when a server dies are lost (at most
// about a second of reads). A flush that fails is retried with the next one; while the
// database stays away the buffer is capped and the oldest entries are dropped, with an error
// logged for each batch dropped.

const FLUSH_MS = 1_000;
const FLUSH_AT = 500;
const MAX_BUFFER = 50_000;

/** One reader's reads in one trace. Open (spanIds may grow) until the writer takes it. */
export interface ContentReadEntry {
  projectId: string;
  traceId: string;
  spanIds: Set<string>;
  via: 'graphql' | 'export';
  actor: { type: string; id: string | null; label: string | null };
  ip: string | null;
  userAgent: string | null;
  at: Date;
  /** Set when the entry was written: later reads of the trace need a new entry. */
  taken?: boolean;
}

export interface AccessLogWriter {
  record(entry: ContentReadEntry): void;
  /** Resolves once the buffer is small again: a reader producing many entries (the export) waits here. */
  backpressure(): Promise<void>;
  /** Writes whatever is buffered now. */
  flush(): Promise<void>;
  /** Stops the timer and writes what is left. */
  close(): Promise<void>;
}

export function createAccessLogWriter(db: Kysely<Database>, logger: Pick<Logger, 'error'>): AccessLogWriter {
  let buffer: ContentReadEntry[] = [];
  let flushing: Promise<void> | undefined;
  let closed = false;
  const timer = setInterval(() => void flush(), FLUSH_MS);
  timer.unref();

  function toRow(e: ContentReadEntry): NewContentAccessRow {
    return {
      project_id: e.projectId,
      at: e.at,
      actor_type: e.actor.type,
      actor_id: e.actor.id,
      actor_label: e.actor.label,
      via: e.via,
      trace_id: e.traceId,
      span_ids: [...e.spanIds].sort(),
      ip: e.ip,
      user_agent: e.userAgent?.slice(0, 512) ?? null,
    };
  }

  async function writeOnce(): Promise<void> {
    const batch = buffer;
    buffer = [];
    for (const e of batch) e.taken = true;
    for (let i = 0; i < batch.length; i += FLUSH_AT) {
      const slice = batch.slice(i, i + FLUSH_AT);
      try {
        await insertContentAccessRows(db, slice.map(toRow));
      } catch (err) {
        // Back to the front, for the next flush; beyond the cap the oldest go.
        buffer = [...batch.slice(i), ...buffer];
        if (buffer.length > MAX_BUFFER) {
          const dropped = buffer.length - MAX_BUFFER;
          buffer = buffer.slice(dropped);
          logger.error({ dropped }, 'content access log: entries dropped, the database is not taking writes');
        }
        logger.error({ err: err instanceof Error ? err.message : String(err), pending: buffer.length }, 'content access log: write failed; retrying');
        return;
      }
    }
  }

  function flush(): Promise<void> {
    if (!flushing) {
      // Cleared in .finally, which always runs after this assignment (an empty flush would
      // otherwise finish, and clear, before it is even stored).
      flushing = (async () => {
        while (buffer.length > 0) {
          const before = buffer.length;
          await writeOnce();
          if (buffer.length >= before) break; // a failed write: wait for the next tick
        }
      })().finally(() => {
        flushing = undefined;
      });
    }
    return flushing;
  }

  return {
    record(entry) {
      if (closed) return;
      buffer.push(entry);
      if (buffer.length >= FLUSH_AT) void flush();
    },
    async backpressure() {
      while (buffer.length >= FLUSH_AT * 4) {
        const before = buffer.length;
        await flush();
        // A failing database: wait a little rather than spin.
        if (buffer.length >= before) await new Promise((resolve) => setTimeout(resolve, 200));
      }
    },
    flush,
    async close() {
      closed = true;
      clearInterval(timer);
      await flush();
    },
  };
}
