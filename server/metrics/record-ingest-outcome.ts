import type { IngestDoor, IngestOutcome, Metrics } from './metrics';

// The one place an ingest door reports what became of a request: every door (GraphQL's
// `ingest` mutation, OTLP) calls recordIngestOutcome with the result it got back, or with
// null when the request failed as a whole (too many spans, a database error).

/** What ingest returns; only the counts and reasons are read. */
export interface IngestOutcomeResult {
  accepted: number;
  rejected: { reason: string }[];
}

export type RejectionReasonCode = 'invalid_id' | 'invalid_time' | 'invalid_field' | 'redaction_failed' | 'redaction_timeout' | 'other';

/**
 * A rejection's reason as one of a few fixed codes. The reason text is for the sender and may
 * name their fields or rules; a metric label must stay bounded and carry no user data.
 */
export function rejectionReasonCode(reason: string): RejectionReasonCode {
  if (/^Redaction\b/i.test(reason)) return /budget|took longer/i.test(reason) ? 'redaction_timeout' : 'redaction_failed';
  if (/^(id|traceId|parentId)\b/.test(reason)) return 'invalid_id';
  if (/^(startTime|endTime|completionStartTime)\b/.test(reason)) return 'invalid_time';
  if (/must not|must be|longer than|more than|needs|negative/.test(reason)) return 'invalid_field';
  return 'other';
}

export function recordIngestOutcome(metrics: Metrics, result: IngestOutcomeResult | null, door: IngestDoor = 'graphql'): void {
  if (result === null) {
    metrics.ingestRequests.inc({ door, outcome: 'failed' });
    return;
  }
  const rejected = result.rejected.length;
  const outcome: IngestOutcome = rejected === 0 ? 'stored' : result.accepted > 0 ? 'partial' : 'rejected';
  metrics.ingestRequests.inc({ door, outcome });
  if (result.accepted > 0) metrics.spansAccepted.inc({ door }, result.accepted);
  if (rejected === 0) return;
  const byCode = new Map<RejectionReasonCode, number>();
  for (const r of result.rejected) {
    const code = rejectionReasonCode(r.reason);
    byCode.set(code, (byCode.get(code) ?? 0) + 1);
  }
  for (const [reason, count] of byCode) metrics.spansRejected.inc({ door, reason }, count);
}
