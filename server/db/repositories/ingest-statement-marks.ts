// Comments at the head of ingest's hand-written statements, read by server/db/prepared-statements.ts.

/** Ingest's writes and its key lookup: they repeat with the same text on every batch, so Postgres may keep their plans. */
export const INGEST_WRITE = '/* ingest */';

// Ingest's statement that reads the batch's traces back from spans (trace-roll-up.ts) is not
// prepared, so Postgres plans it on every call. A kept (generic) plan is made once, from the
// statistics of the moment: one made while a project's spans were few reads all of them
// sequentially once they are many, until the next ANALYZE replaces it — the usage marks' plan kept
// from 10 spans took 113 ms per call at 30,000 spans, 0.9 ms planned per call (bench:ingest starts
// from an empty database, as a new install does). Planning it costs about half a millisecond.
export const INGEST_TRACE_READ = '/* ingest: planned per call */';

/** Whether a statement is one of ingest's writes (they start with INGEST_WRITE, the span upsert too), worth preparing. */
export function isIngestWrite(text: string): boolean {
  return text.startsWith(INGEST_WRITE);
}
