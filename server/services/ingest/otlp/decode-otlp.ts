import protojson from 'protobufjs/ext/protojson.js';
import type { OtlpSpan, OtlpSpanItem } from './map-otlp-span';
import { setOwn } from '../clean-values';
import { ExportTraceServiceRequest } from './otlp-schema';
import { anyValueToJson, AttributeTooDeepError, type OtlpKeyValue } from './otlp-values';

// The OTLP door's decode stage: an ExportTraceServiceRequest body → one item per span, each with
// its resource's attributes (read once per resource) and scope.
//   - application/x-protobuf: protobufjs, from the schema in proto/
//   - application/json: OTLP/JSON is ProtoJSON except that trace and span ids are hex, not base64
//     (lowerCamelCase names, enums as integers, int64 as a string or a number are ProtoJSON
//     already); the ids are turned into base64 and protobufjs' ProtoJSON reader does the rest.
// A body that is not a valid request fails the whole request (HTTP 400); everything after is per span.

export type OtlpEncoding = 'protobuf' | 'json';

export class OtlpDecodeError extends Error {
  override name = 'OtlpDecodeError';
}

/** Resource attributes as trace metadata: this many, and about this many bytes, at most. */
const MAX_RESOURCE_ATTRIBUTES = 64;
const MAX_RESOURCE_BYTES = 16 * 1024;

interface DecodedRequest {
  resourceSpans?: {
    resource?: { attributes?: OtlpKeyValue[] } | null;
    scopeSpans?: { scope?: { name?: string; version?: string } | null; spans?: OtlpSpan[] }[];
  }[];
}

export function decodeOtlpRequest(body: Uint8Array, encoding: OtlpEncoding): OtlpSpanItem[] {
  let request: DecodedRequest;
  try {
    request = (encoding === 'protobuf' ? ExportTraceServiceRequest.decode(body) : decodeJson(body)) as DecodedRequest;
  } catch (err) {
    // RangeError: nesting deep enough to exhaust the decoder's stack is not a valid request either.
    const reason = err instanceof Error && !(err instanceof RangeError) ? `: ${err.message.slice(0, 200)}` : '';
    throw new OtlpDecodeError(`The body is not an OTLP ExportTraceServiceRequest (${encoding})${reason}`);
  }
  const items: OtlpSpanItem[] = [];
  for (const resourceSpans of request.resourceSpans ?? []) {
    const resource = readResource(resourceSpans.resource?.attributes ?? []);
    for (const scopeSpans of resourceSpans.scopeSpans ?? []) {
      const scope = scopeSpans.scope ? { name: scopeSpans.scope.name, version: scopeSpans.scope.version } : null;
      for (const span of scopeSpans.spans ?? []) items.push({ span, resource, scope });
    }
  }
  return items;
}

function decodeJson(body: Uint8Array): unknown {
  const json: unknown = JSON.parse(Buffer.from(body).toString('utf8'));
  hexIdsToBase64(json);
  return protojson.fromJson(ExportTraceServiceRequest, json, { ignoreUnknownFields: true });
}

const ID_FIELDS = ['traceId', 'spanId', 'parentSpanId', 'trace_id', 'span_id', 'parent_span_id'];

/**
 * OTLP/JSON's hex ids → base64, in place, where ProtoJSON expects bytes. A string that is not hex
 * decodes to a wrong length, so the span is rejected for its id rather than the request failing.
 */
function hexIdsToBase64(json: unknown): void {
  const list = (v: unknown): Record<string, unknown>[] =>
    Array.isArray(v) ? v.filter((x): x is Record<string, unknown> => typeof x === 'object' && x !== null) : [];
  const convert = (o: Record<string, unknown>) => {
    for (const field of ID_FIELDS) {
      const value = o[field];
      if (typeof value === 'string') o[field] = Buffer.from(value, 'hex').toString('base64');
    }
  };
  if (typeof json !== 'object' || json === null) return;
  const root = json as Record<string, unknown>;
  for (const rs of list(root.resourceSpans ?? root.resource_spans)) {
    for (const ss of list(rs.scopeSpans ?? rs.scope_spans)) {
      for (const span of list(ss.spans)) {
        convert(span);
        for (const link of list(span.links)) convert(link);
      }
    }
  }
}

function readResource(attributes: readonly OtlpKeyValue[]): Record<string, unknown> | null {
  const out: Record<string, unknown> = {};
  let n = 0;
  let bytes = 0;
  for (const kv of attributes) {
    if (n >= MAX_RESOURCE_ATTRIBUTES) break;
    try {
      const value = anyValueToJson(kv.value);
      const size = kv.key.length + (typeof value === 'string' ? value.length : (JSON.stringify(value)?.length ?? 4));
      if (bytes + size > MAX_RESOURCE_BYTES) continue;
      setOwn(out, kv.key, value);
      bytes += size;
      n++;
    } catch (err) {
      // A resource attribute nested too deep is left out; the spans are still worth keeping.
      if (!(err instanceof AttributeTooDeepError)) throw err;
    }
  }
  return n > 0 ? out : null;
}
