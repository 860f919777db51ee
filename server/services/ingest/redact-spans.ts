import type { AppDeps } from '../../context';
import type { ProjectSettings, RedactionHit } from '../models';
import type { IngestRejection } from './ingest-rejection';
import type { MergedSpan } from './merge-span-copies';
import { redactBatch } from './redact-span';

// The redact stage: a thin door onto the redaction engine (redact-span.ts), the same for both
// front doors. From here on a span holds its redacted content only; a span whose redaction fails
// or overruns its budget is rejected (every copy, by index) and never stored.

export interface RedactedSpan extends MergedSpan {
  redactions: RedactionHit[];
}

export async function redactSpans(
  deps: AppDeps,
  projectId: string,
  settings: ProjectSettings,
  spans: MergedSpan[],
): Promise<{ kept: RedactedSpan[]; rejected: IngestRejection[] }> {
  if (spans.length === 0) return { kept: [], rejected: [] };
  return redactBatch(deps, projectId, settings, spans);
}
