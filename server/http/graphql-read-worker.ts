import { parentPort, workerData } from 'node:worker_threads';
import { buildSchema, getOperationAST, isScalarType, Kind, parse, visit, type DocumentNode, type GraphQLScalarType } from 'graphql';
import { BigIntScalar, DateTimeScalar, JSONScalar, SpanTimeScalar } from '../../schema/scalars';
import { sourceTextOf } from '../services/ingest/content-source-text';
import { mapGraphqlSpan, type GraphqlSpanInput } from '../services/ingest/graphql/map-graphql-span';
import type { ReadyMessage } from '../services/ingest/job-worker';
import { readSpans } from '../services/ingest/read-spans';
import { readingsTransferList, takeReadingsOut } from '../services/ingest/readings-across-threads';
import { createSealer, type Sealer } from '../services/ingest/worker-sealer';
import { contentJson } from '../storage/content';
import { coerceVariablesFast } from './coerce-variables-fast';
import type { GraphqlReadJob, GraphqlReadReply, GraphqlReadWorkerData, ReadIngestRequest } from './graphql-read-protocol';
import { parseJsonBody } from './parse-json-body';

// The GraphQL read worker (graphql-read-pool.ts): a POST body → when it is one ingest mutation,
// its spans parsed (parse-json-body.ts, which remembers content's text), coerced as yoga's own
// executor would (coerce-variables-fast.ts, against the server's printed schema), mapped and
// validated (read-spans.ts) — the functions the server's thread runs for any other body — and,
// when the server asks, their content sealed for storage (early-sealing.ts).

const data = workerData as GraphqlReadWorkerData;
const schema = buildSchema(data.sdl);
// A printed schema has each custom scalar's name, not its code: put the server's code back, so
// values coerce here exactly as they do there.
for (const real of [DateTimeScalar, JSONScalar, SpanTimeScalar, BigIntScalar] as GraphQLScalarType[]) {
  const printed = schema.getType(real.name);
  if (isScalarType(printed)) Object.assign(printed, { parseValue: real.parseValue, parseLiteral: real.parseLiteral, serialize: real.serialize });
}

/** Parsed documents by query text: a sender repeats one mutation. */
const documents = new Map<string, DocumentNode>();
const MAX_DOCUMENTS = 100;

function documentOf(query: string): DocumentNode {
  let document = documents.get(query);
  if (!document) {
    document = parse(query);
    if (documents.size >= MAX_DOCUMENTS) documents.clear();
    documents.set(query, document);
  }
  return document;
}

const BODY_KEYS = new Set(['query', 'operationName', 'variables', 'extensions']);
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * The one variable of an operation that is exactly `mutation (...) { ingest(spans: $v) { … } }`:
 * one definition in the document, one variable, used once, as the only root field's `spans`.
 * Anything else is left to the server's thread.
 */
function ingestVariable(document: DocumentNode, operationName: string | null | undefined): string | null {
  if (document.definitions.length !== 1) return null;
  const operation = getOperationAST(document, operationName);
  if (operation?.operation !== 'mutation' || operation.variableDefinitions?.length !== 1 || operation.directives?.length) return null;
  const name = operation.variableDefinitions[0]!.variable.name.value;
  const [field, ...others] = operation.selectionSet.selections;
  if (others.length > 0 || field?.kind !== Kind.FIELD || field.name.value !== 'ingest' || field.directives?.length) return null;
  const spans = field.arguments?.find((a) => a.name.value === 'spans');
  if (spans?.value.kind !== Kind.VARIABLE || spans.value.name.value !== name) return null;
  let uses = 0;
  visit(operation, { Variable: (node) => void (node.name.value === name && uses++) });
  return uses === 2 ? name : null; // its definition and the argument
}

function readJob(job: GraphqlReadJob, sealer: Sealer | undefined): ReadIngestRequest | null {
  let body: unknown;
  try {
    body = parseJsonBody(Buffer.from(job.body.buffer, job.body.byteOffset, job.body.byteLength));
  } catch {
    return null;
  }
  if (!isObject(body) || Object.keys(body).some((key) => !BODY_KEYS.has(key))) return null;
  const { query, operationName, variables, extensions } = body;
  if (typeof query !== 'string' || (operationName != null && typeof operationName !== 'string')) return null;
  if (extensions !== undefined && !isObject(extensions)) return null;
  let document: DocumentNode;
  try {
    document = documentOf(query);
  } catch {
    return null; // yoga words the syntax error
  }
  const variable = ingestVariable(document, operationName);
  if (!variable) return null;
  const coerced = coerceVariablesFast(schema, document, operationName, variables);
  if (!coerced) return null; // graphql-js words the variable's error
  const spans = coerced.variableValues[variable];
  if (!Array.isArray(spans)) return null;
  const read = readSpans(spans as GraphqlSpanInput[], mapGraphqlSpan, job.now);
  // Content keeps the text it was sent as, when the parser remembered it (content-source-text.ts).
  const readings = takeReadingsOut(read, (value) => sourceTextOf(value) ?? contentJson(value), sealer, job.seal);
  return { query, ...(operationName != null ? { operationName } : {}), ...(extensions ? { extensions } : {}), variable, readings };
}

async function main(): Promise<void> {
  const port = parentPort!;
  // Without a sealer the worker still reads; the server then seals as before.
  const sealer = data.sealer ? await createSealer(data.sealer).catch(() => undefined) : undefined;
  port.on('message', (job: GraphqlReadJob) => {
    let reply: GraphqlReadReply;
    try {
      reply = { job: job.job, ok: true, request: readJob(job, sealer) };
    } catch (err) {
      // Only the error's kind: a message could quote content. The server reads the body again.
      reply = { job: job.job, ok: false, error: err instanceof Error ? err.name : typeof err };
    }
    if (reply.ok && reply.request) port.postMessage(reply, readingsTransferList(reply.request.readings));
    else port.postMessage(reply);
  });
  port.postMessage({ ready: true } satisfies ReadyMessage);
}

void main();
