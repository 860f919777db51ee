import protojson from 'protobufjs/ext/protojson.js';
import type { IngestResult } from '../ingest';
import type { OtlpEncoding } from './decode-otlp';
import { ExportTraceServiceResponse, RpcStatus } from './otlp-schema';

// OTLP/HTTP answers in the request's own encoding: an ExportTraceServiceResponse on success (with
// partialSuccess when spans were refused), a google.rpc.Status for every 4xx and 5xx.

export interface EncodedBody {
  contentType: string;
  body: Uint8Array | string;
}

const MAX_REASONS = 10;
const MAX_ERROR_MESSAGE = 2000;

/** "2 of 5 spans rejected: [1] endTime is before startTime; [3] …" — what a sender logs. */
export function describeRejections(result: IngestResult, total: number): string {
  const shown = result.rejected.slice(0, MAX_REASONS).map((r) => `[${r.index}]${r.id ? ` ${r.id}` : ''}: ${r.reason}`);
  const more = result.rejected.length > MAX_REASONS ? `; and ${result.rejected.length - MAX_REASONS} more` : '';
  const text = `${result.rejected.length} of ${total} spans rejected: ${shown.join('; ')}${more}`;
  return text.length > MAX_ERROR_MESSAGE ? `${text.slice(0, MAX_ERROR_MESSAGE - 1)}…` : text;
}

function encode(type: typeof RpcStatus, message: Record<string, unknown>, encoding: OtlpEncoding): EncodedBody {
  if (encoding === 'json') {
    return { contentType: 'application/json', body: JSON.stringify(protojson.toJson(type, type.fromObject(message))) };
  }
  return { contentType: 'application/x-protobuf', body: type.encode(type.fromObject(message)).finish() };
}

export function encodeExportResponse(result: IngestResult, total: number, encoding: OtlpEncoding): EncodedBody {
  const message =
    result.rejected.length === 0
      ? {}
      : { partialSuccess: { rejectedSpans: result.rejected.length, errorMessage: describeRejections(result, total) } };
  return encode(ExportTraceServiceResponse, message, encoding);
}

/** gRPC status codes that OTLP/HTTP error bodies carry. */
export const RpcCode = {
  INVALID_ARGUMENT: 3,
  PERMISSION_DENIED: 7,
  RESOURCE_EXHAUSTED: 8,
  INTERNAL: 13,
  UNAVAILABLE: 14,
  UNAUTHENTICATED: 16,
} as const;

export function encodeStatus(code: number, message: string, encoding: OtlpEncoding): EncodedBody {
  return encode(RpcStatus, { code, message }, encoding);
}
