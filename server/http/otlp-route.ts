import type { IncomingMessage, ServerResponse } from 'node:http';
import type { App } from '../app';
import { authenticateRequest } from '../auth/authenticate';
import { AppError } from '../errors';
import { earlySealingFor } from '../services/ingest/early-sealing';
import { ingest } from '../services/ingest/ingest';
import { decodeOtlpRequest, OtlpDecodeError, type OtlpEncoding } from '../services/ingest/otlp/decode-otlp';
import { encodeExportResponse, encodeStatus, RpcCode, type EncodedBody } from '../services/ingest/otlp/encode-otlp-response';
import { mapOtlpSpan } from '../services/ingest/otlp/map-otlp-span';
import { StoreFailure } from '../services/ingest/store-spans';
import { parseProjectSettings } from '../services/projects';
import { BodyTooLargeError, BodyUnreadableError, gunzipBody, joinBody, readBodyParts } from './read-body';

// OTLP/HTTP trace ingest: `POST /v1/traces`, the path OpenTelemetry exporters append to
// OTEL_EXPORTER_OTLP_ENDPOINT. The OTLP front door of the ingest pipeline
// (server/services/ingest/ingest.ts): it decodes and maps, everything else is shared with GraphQL.
//
//   200  ExportTraceServiceResponse, with partialSuccess when some spans were refused
//   400  a body that is not an OTLP request (or not valid gzip)
//   401  no ingest key, or one that is invalid, expired or revoked; 403 another kind of credential
//   413  body (before or after gzip) over TOKENTRACE_MAX_BODY_BYTES, or more spans than a request may carry
//   415  a content type or encoding other than protobuf/JSON and gzip/identity
//   429  the project's span budget is spent (TOKENTRACE_INGEST_SPANS_PER_MINUTE), with Retry-After
//   503  the spans could not be stored (e.g. the database is unreachable), with Retry-After
// Every error body is a google.rpc.Status in the request's encoding, as OTLP/HTTP asks.

export const OTLP_TRACES_PATH = '/v1/traces';
const STORE_RETRY_AFTER_SECONDS = 5;

class OtlpHttpError extends Error {
  constructor(
    readonly status: number,
    readonly rpcCode: number,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

function encodingOf(contentType: string | undefined): OtlpEncoding | undefined {
  const type = contentType?.split(';')[0]?.trim().toLowerCase();
  if (type === 'application/x-protobuf' || type === 'application/protobuf') return 'protobuf';
  if (type === 'application/json') return 'json';
  return undefined;
}

function send(res: ServerResponse, status: number, encoded: EncodedBody, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': encoded.contentType, 'cache-control': 'no-store', ...headers });
  res.end(encoded.body);
}

export async function handleOtlpRoute(app: App, req: IncomingMessage, res: ServerResponse, path: string): Promise<boolean> {
  if (path !== OTLP_TRACES_PATH) return false;
  const encoding = encodingOf(req.headers['content-type']);
  try {
    if (req.method !== 'POST') throw new OtlpHttpError(405, RpcCode.INVALID_ARGUMENT, 'Send spans with POST.', { allow: 'POST' });
    if (!encoding) {
      throw new OtlpHttpError(415, RpcCode.INVALID_ARGUMENT, 'Send Content-Type application/x-protobuf or application/json (OTLP/HTTP).');
    }
    const contentEncoding = (req.headers['content-encoding'] ?? 'identity').trim().toLowerCase();
    if (contentEncoding !== 'gzip' && contentEncoding !== 'identity') {
      throw new OtlpHttpError(415, RpcCode.INVALID_ARGUMENT, 'Content-Encoding may be gzip or identity.');
    }
    // The credential first: a caller without a valid ingest key costs us no body reading.
    const principal = await authenticateBearer(app, req);
    const { maxBodyBytes } = app.deps.config.ingest;
    const received = await readBodyParts(req, maxBodyBytes);
    // Kept in its chunks for the worker, which copies it once; joined only where read here.
    const gunzipped = contentEncoding === 'gzip' ? await gunzipBody(joinBody(received), maxBodyBytes) : null;
    const parts = gunzipped ? [gunzipped] : received.parts;
    const size = gunzipped ? gunzipped.length : received.size;
    // A large body is decoded, mapped and validated in a worker thread when one is ready
    // (otlp-read-pool.ts); any other here, mapped after the span budget is checked (ingest.ts).
    const request = { door: 'otlp', principal: principal.principal, settings: principal.settings } as const;
    const pool = app.deps.otlpReadPool;
    const sealing = pool?.takes(size) ? await earlySealingFor(app.deps, principal.principal.projectId, principal.settings) : null;
    const reading = await pool?.read(parts, encoding, Date.now(), sealing);
    if (reading && 'decodeError' in reading) throw new OtlpDecodeError(reading.decodeError);
    let result;
    let total;
    if (reading) {
      result = await ingest(app.deps, { ...request, read: reading.read });
      total = reading.read.length;
    } else {
      const items = decodeOtlpRequest(gunzipped ?? joinBody(received), encoding);
      result = await ingest(app.deps, { ...request, items, map: mapOtlpSpan });
      total = items.length;
    }
    send(res, 200, encodeExportResponse(result, total, encoding));
  } catch (err) {
    const failure = toHttpError(app, err);
    if (failure.status === 413 || failure.status === 405 || failure.status === 415) req.resume();
    send(res, failure.status, encodeStatus(failure.rpcCode, failure.message, encoding ?? 'json'), {
      ...failure.headers,
      ...(failure.status === 413 ? { connection: 'close' } : {}),
    });
  }
  return true;
}

/** An ingest key in `Authorization: Bearer`, and nothing else: cookies are not even looked at. */
async function authenticateBearer(app: App, req: IncomingMessage) {
  const authorization = req.headers.authorization;
  if (!authorization) {
    throw new OtlpHttpError(401, RpcCode.UNAUTHENTICATED, 'Send an ingest key: Authorization: Bearer ttk_… (OTEL_EXPORTER_OTLP_HEADERS).');
  }
  const auth = await authenticateRequest(app.deps, new Headers({ authorization }));
  if (auth.principal.kind !== 'ingestKey') {
    throw new OtlpHttpError(403, RpcCode.PERMISSION_DENIED, 'Only an ingest key (ttk_…) may send spans; personal tokens may not.');
  }
  const settings = auth.ingestProjectSettings === undefined ? null : parseProjectSettings(auth.ingestProjectSettings);
  return { principal: auth.principal, settings };
}

function toHttpError(app: App, err: unknown): OtlpHttpError {
  if (err instanceof OtlpHttpError) return err;
  if (err instanceof BodyTooLargeError) return new OtlpHttpError(413, RpcCode.INVALID_ARGUMENT, err.message);
  if (err instanceof BodyUnreadableError || err instanceof OtlpDecodeError) return new OtlpHttpError(400, RpcCode.INVALID_ARGUMENT, err.message);
  if (err instanceof AppError) {
    switch (err.code) {
      case 'UNAUTHENTICATED':
        return new OtlpHttpError(401, RpcCode.UNAUTHENTICATED, err.message);
      case 'FORBIDDEN':
      case 'NOT_FOUND':
        return new OtlpHttpError(403, RpcCode.PERMISSION_DENIED, err.message);
      case 'PAYLOAD_TOO_LARGE':
        return new OtlpHttpError(413, RpcCode.INVALID_ARGUMENT, err.message);
      case 'RATE_LIMITED': {
        const retryAfter = Number(err.details?.retryAfterSeconds ?? 60);
        return new OtlpHttpError(429, RpcCode.RESOURCE_EXHAUSTED, err.message, { 'retry-after': String(retryAfter) });
      }
      default:
        return new OtlpHttpError(400, RpcCode.INVALID_ARGUMENT, err.message);
    }
  }
  if (err instanceof StoreFailure) {
    // The request was good and nothing of it was kept: the exporter should send it again.
    app.deps.logger.error({ err: describe(err.cause) }, 'OTLP spans could not be stored');
    return new OtlpHttpError(503, RpcCode.UNAVAILABLE, 'The spans could not be stored; try again.', {
      'retry-after': String(STORE_RETRY_AFTER_SECONDS),
    });
  }
  app.deps.logger.error({ err: describe(err) }, 'unexpected error in OTLP ingest');
  return new OtlpHttpError(500, RpcCode.INTERNAL, 'Unexpected error.');
}

const describe = (e: unknown) => (e instanceof Error ? { name: e.name, message: e.message, stack: e.stack } : String(e));
