import { IngestDocument, type IngestMutation, type SpanInput } from '../generated/graphql.js';
import { messageOf } from '../errors.js';
import { isRetryableStatus, parseRetryAfter, RETRYABLE_GRAPHQL_CODES } from './retry-policy.js';

// One HTTP attempt at `mutation ingest(spans)`, classified: stored (with per-span rejections),
// worth retrying, or refused for good. Never throws.

export type PostOutcome =
  | { kind: 'ok'; rejected: { index: number; id: string | null; reason: string }[] }
  | { kind: 'retry'; status: number | undefined; retryAfterMs: number | undefined; message: string }
  | { kind: 'fatal'; status: number; message: string; tooLarge: boolean };

export interface PostConfig {
  endpoint: string;
  apiKey: string;
  timeoutMs: number;
  userAgent: string;
}

interface GraphQLBody {
  data?: Partial<IngestMutation> | null;
  errors?: { message?: string; extensions?: { code?: string } }[];
}

function firstError(body: GraphQLBody | undefined): { message: string; code: string | undefined } {
  const error = body?.errors?.[0];
  return { message: typeof error?.message === 'string' ? error.message : 'no message', code: error?.extensions?.code };
}

async function readBody(response: Response): Promise<GraphQLBody | undefined> {
  try {
    return (await response.json()) as GraphQLBody;
  } catch {
    return undefined;
  }
}

export async function postBatch(spans: SpanInput[], config: PostConfig): Promise<PostOutcome> {
  let response: Response;
  try {
    response = await fetch(config.endpoint, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/graphql-response+json, application/json',
        authorization: `Bearer ${config.apiKey}`,
        'user-agent': config.userAgent,
      },
      // A string body, so fetch sends Content-Length (servers before OTLP ingest refused a POST without one).
      body: JSON.stringify({ query: IngestDocument, operationName: 'Ingest', variables: { spans } }),
      signal: AbortSignal.timeout(config.timeoutMs),
    });
  } catch (error) {
    // Connection refused/reset, DNS, TLS, timeout: the server may be back soon.
    return { kind: 'retry', status: undefined, retryAfterMs: undefined, message: messageOf(error) };
  }
  const body = await readBody(response);
  const status = response.status;
  if (isRetryableStatus(status)) {
    return { kind: 'retry', status, retryAfterMs: parseRetryAfter(response.headers.get('retry-after')), message: `HTTP ${status}: ${firstError(body).message}` };
  }
  if (status === 404) {
    // Nothing answers GraphQL at this address: a wrong path or host, not a verdict on the spans.
    return {
      kind: 'fatal',
      status,
      message:
        `HTTP 404 from ${config.endpoint}: no tokentrace GraphQL endpoint there. Set endpoint (TOKENTRACE_ENDPOINT) ` +
        `to the server's address, e.g. https://tokentrace.example.com (the SDK adds /graphql), or to its full /graphql URL.`,
      tooLarge: false,
    };
  }
  if (status >= 400 || body === undefined) {
    if (body === undefined && status < 400) {
      // A 2xx whose body is not JSON: a proxy in the way, not a verdict from the server.
      return { kind: 'retry', status, retryAfterMs: undefined, message: `HTTP ${status} with an unreadable body` };
    }
    return { kind: 'fatal', status, message: `HTTP ${status}: ${firstError(body).message}`, tooLarge: status === 413 };
  }
  const ingest = body.data?.ingest;
  if (body.errors?.length || !ingest) {
    const { message, code } = firstError(body);
    if (code !== undefined && RETRYABLE_GRAPHQL_CODES.has(code)) {
      return { kind: 'retry', status, retryAfterMs: parseRetryAfter(response.headers.get('retry-after')), message: `${code}: ${message}` };
    }
    return { kind: 'fatal', status, message: `${code ?? 'GRAPHQL_ERROR'}: ${message}`, tooLarge: code === 'PAYLOAD_TOO_LARGE' };
  }
  return { kind: 'ok', rejected: Array.isArray(ingest.rejected) ? ingest.rejected : [] };
}
