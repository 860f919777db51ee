import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { createHttpServer } from '../http/server';
import type { TestApp } from './test-app';

// Building OTLP/JSON requests by hand (what an exporter would send, in the form the spec gives),
// and a real HTTP server around a test app for the OTLP door, which lives outside yoga.

export type AttributeValue = string | number | boolean | AttributeValue[] | { [key: string]: AttributeValue } | null;

/** A JS value as an OTLP/JSON AnyValue; integers as intValue (a string, as int64s may be). */
export function anyValue(value: AttributeValue): Record<string, unknown> {
  if (typeof value === 'string') return { stringValue: value };
  if (typeof value === 'boolean') return { boolValue: value };
  if (typeof value === 'number') return Number.isInteger(value) ? { intValue: String(value) } : { doubleValue: value };
  if (value === null) return {};
  if (Array.isArray(value)) return { arrayValue: { values: value.map(anyValue) } };
  return { kvlistValue: { values: Object.entries(value).map(([key, v]) => ({ key, value: anyValue(v) })) } };
}

export const attributes = (attrs: Record<string, AttributeValue>) => Object.entries(attrs).map(([key, value]) => ({ key, value: anyValue(value) }));

export const newTraceId = () => randomBytes(16).toString('hex');
export const newSpanId = () => randomBytes(8).toString('hex');

export interface SpanSpec {
  traceId?: string;
  spanId?: string;
  parentSpanId?: string;
  name?: string;
  kind?: number;
  /** Milliseconds since the epoch; nanoseconds go on the wire. */
  startMs?: number;
  endMs?: number;
  attributes?: Record<string, AttributeValue>;
  events?: { name: string; timeMs?: number; attributes?: Record<string, AttributeValue> }[];
  status?: { code: number; message?: string };
}

export const BASE_MS = Date.parse('2026-11-20T10:00:00.000Z');
const nanos = (ms: number) => `${BigInt(Math.round(ms * 1000)) * 1000n}`;

/** One OTLP/JSON span, as the spec spells it (hex ids, int64 times as strings). */
export function otlpSpan(spec: SpanSpec = {}): Record<string, unknown> {
  const start = spec.startMs ?? BASE_MS;
  return {
    traceId: spec.traceId ?? newTraceId(),
    spanId: spec.spanId ?? newSpanId(),
    ...(spec.parentSpanId ? { parentSpanId: spec.parentSpanId } : {}),
    name: spec.name ?? 'span',
    kind: spec.kind ?? 1,
    startTimeUnixNano: nanos(start),
    endTimeUnixNano: nanos(spec.endMs ?? start + 1200),
    attributes: attributes(spec.attributes ?? {}),
    events: (spec.events ?? []).map((e) => ({ name: e.name, timeUnixNano: nanos(e.timeMs ?? start + 10), attributes: attributes(e.attributes ?? {}) })),
    status: spec.status ?? { code: 0 },
  };
}

/** An ExportTraceServiceRequest in OTLP/JSON. */
export function otlpRequest(spans: Record<string, unknown>[], resource: Record<string, AttributeValue> = { 'service.name': 'checkout' }) {
  return {
    resourceSpans: [{ resource: { attributes: attributes(resource) }, scopeSpans: [{ scope: { name: 'test-scope', version: '1.0.0' }, spans }] }],
  };
}

export interface OtlpPostOptions {
  secret?: string;
  contentType?: string;
  gzip?: boolean;
  headers?: Record<string, string>;
}

export interface OtlpServer {
  url: string;
  /** POSTs to /v1/traces: a JS object goes as OTLP/JSON, bytes as they are. */
  post(body: unknown, options?: OtlpPostOptions): Promise<{ status: number; headers: Headers; body: Buffer; json(): any }>;
  close(): Promise<void>;
}

export async function startOtlpServer(t: TestApp): Promise<OtlpServer> {
  const server = createHttpServer(t.app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    async post(body, options = {}) {
      let bytes: Uint8Array = body instanceof Uint8Array ? body : Buffer.from(typeof body === 'string' ? body : JSON.stringify(body));
      if (options.gzip) bytes = gzipSync(bytes);
      const res = await fetch(`${url}/v1/traces`, {
        method: 'POST',
        headers: {
          'content-type': options.contentType ?? (body instanceof Uint8Array ? 'application/x-protobuf' : 'application/json'),
          ...(options.gzip ? { 'content-encoding': 'gzip' } : {}),
          ...(options.secret ? { authorization: `Bearer ${options.secret}` } : {}),
          ...options.headers,
        },
        body: Buffer.from(bytes),
      });
      const buffer = Buffer.from(await res.arrayBuffer());
      return { status: res.status, headers: res.headers, body: buffer, json: () => JSON.parse(buffer.toString('utf8')) };
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
