import type { Principal } from '../../auth/principal';
import type { AppDeps } from '../../context';
import { recordIngestOutcome } from '../../metrics/record-ingest-outcome';
import type { IngestDoor } from '../../metrics/metrics';
import type { ProjectSettings } from '../models';
import { authenticateIngest } from './authenticate-ingest';
import { encodeSpans } from './encode-spans';
import { mergeSpanCopies } from './merge-span-copies';
import { priceSpans } from './price-spans';
import { publishSpans } from './publish-spans';
import { readSpans, type SpanReading } from './read-spans';
import { redactSpans } from './redact-spans';
import type { SpanDraft } from './span-draft';
import { storeSpans } from './store-spans';
import type { SpanInputData } from './validate-span';

// Ingest is one straight line of stages, each a small function in this folder. Two front doors
// feed it — GraphQL `ingest` (schema/types/ingest.ts) and OTLP `POST /v1/traces`
// (server/http/otlp-route.ts) — and each does only the first and third stage its own way; all
// governance after that is the same for both.
//
//   1 decode        the door's: a GraphQL request (yoga) or an OTLP body (otlp/decode-otlp.ts)
//                   → one item per span
//   2 authenticate  an ingest key of the project, within the span-count and rate limits
//   3 map           the door's: each item → a span draft (otlp/map-otlp-span.ts reads the OTel
//                   GenAI, OpenInference and Vercel AI SDK conventions); an item that cannot be
//                   read is rejected by index
//   4 validate      each draft on its own → a typed, clean span, or a rejection by index
//   5 merge         copies of one span id in the batch → one span, in id order
//   6 redact        project settings and every redactor (redact-span.ts); failure rejects the span
//   7 price         cost from the price table → the span model
//   8 encode        content → JSON bytes → storage codec (AES-256-GCM by default); a large batch
//                   in the codec's worker thread (encode-pool.ts)
//   9 store         one transaction: trace locks, span upsert, trace roll-ups
//  10 publish       to live-tail subscribers, after commit
//
// Map comes before validate (the sketch had them the other way round) because the limits
// apply to what a span says, not to how a door spelled it: token counts or times read from OTel
// attributes are checked by the same code as those sent to GraphQL. Either door may read a large
// body — stages 1, 3 and 4 — in a worker thread (otlp/otlp-read-pool.ts, server/http/
// graphql-read-pool.ts) and hand the readings in.

// In its own file so that the stages can name it without importing this one (no cycle).
export type { IngestRejection } from './ingest-rejection';
import type { IngestRejection } from './ingest-rejection';

export interface IngestResult {
  accepted: number;
  rejected: IngestRejection[];
}

export type IngestRequest<Item> = {
  /** Which front door the spans came through; metrics count per door. */
  door: IngestDoor;
  principal: Principal;
  /** The project's settings when the door already has them. */
  settings?: ProjectSettings | null;
} & (
  | {
      /** Decoded by the door (stage 1): one item per span. */
      items: readonly Item[];
      /** The door's map (stage 3). */
      map: (item: Item) => SpanDraft;
    }
  | {
      /** Stages 1, 3 and 4 done already, off the event loop (otlp/otlp-read-pool.ts): one reading per span. */
      read: readonly SpanReading[];
    }
);

export async function ingest<Item>(deps: AppDeps, request: IngestRequest<Item>): Promise<IngestResult> {
  let result: IngestResult;
  try {
    result = await runStages(deps, request);
  } catch (err) {
    recordIngestOutcome(deps.metrics, null, request.door);
    throw err;
  }
  recordIngestOutcome(deps.metrics, result, request.door);
  return result;
}

async function runStages<Item>(deps: AppDeps, request: IngestRequest<Item>): Promise<IngestResult> {
  const count = 'read' in request ? request.read.length : request.items.length;
  const { projectId, settings } = await authenticateIngest(deps, request.principal, count, request.settings);
  const rejected: IngestRejection[] = [];
  const valid: { index: number; span: SpanInputData }[] = [];
  const read = 'read' in request ? request.read : readSpans(request.items, request.map, Date.now());
  read.forEach((reading, index) => {
    if ('span' in reading) valid.push({ index, span: reading.span });
    else rejected.push({ index, id: reading.id, reason: reading.reason });
  });
  const merged = mergeSpanCopies(valid);
  const redacted = await redactSpans(deps, projectId, settings, merged);
  rejected.push(...redacted.rejected);
  rejected.sort((a, b) => a.index - b.index);
  if (redacted.kept.length === 0) return { accepted: 0, rejected };

  // The project's prices (over the built-in table) and, when the codec keeps keys per project,
  // the data key content is sealed under: each loaded once per batch.
  const [pricer, keys] = await Promise.all([deps.prices.forProject(projectId), deps.projectKeys.forProject(projectId)]);
  const priced = priceSpans(pricer, projectId, redacted.kept);
  const rows = await encodeSpans(deps, projectId, priced.map((p) => p.model), keys);
  await storeSpans(deps, projectId, priced, rows, pricer);
  publishSpans(
    deps,
    projectId,
    priced.map((p) => p.model),
  );
  return { accepted: priced.reduce((n, p) => n + p.indexes.length, 0), rejected };
}
