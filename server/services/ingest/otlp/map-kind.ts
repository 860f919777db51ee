import type { SpanKindName } from '../../models';
import type { AttributeBag } from './attribute-bag';

// A span's kind, from the first convention that names one (docs/otel.md lists every value).

const OPENINFERENCE_KINDS: Record<string, SpanKindName> = {
  LLM: 'GENERATION',
  EMBEDDING: 'EMBEDDING',
  TOOL: 'TOOL',
  AGENT: 'AGENT',
  RETRIEVER: 'RETRIEVAL',
  RERANKER: 'RETRIEVAL',
  CHAIN: 'SPAN',
  GUARDRAIL: 'SPAN',
  EVALUATOR: 'SPAN',
  PROMPT: 'SPAN',
};

const GENAI_OPERATIONS: Record<string, SpanKindName> = {
  chat: 'GENERATION',
  text_completion: 'GENERATION',
  generate_content: 'GENERATION',
  embeddings: 'EMBEDDING',
  execute_tool: 'TOOL',
  invoke_agent: 'AGENT',
  create_agent: 'AGENT',
  retrieval: 'RETRIEVAL',
  rerank: 'RETRIEVAL',
};

// OpenLLMetry (Traceloop): traceloop.span.kind for its decorators, llm.request.type for model calls.
const TRACELOOP_KINDS: Record<string, SpanKindName> = { workflow: 'SPAN', task: 'SPAN', agent: 'AGENT', tool: 'TOOL' };
const LLM_REQUEST_TYPES: Record<string, SpanKindName> = { chat: 'GENERATION', completion: 'GENERATION', embedding: 'EMBEDDING', rerank: 'RETRIEVAL' };

/** The Vercel AI SDK before its GenAI attributes: `ai.operationId`. */
function vercelKind(operationId: string): SpanKindName | undefined {
  if (/\.(doGenerate|doStream)$/.test(operationId)) return 'GENERATION';
  if (/\.doEmbed$/.test(operationId)) return 'EMBEDDING';
  if (operationId === 'ai.toolCall') return 'TOOL';
  if (/^ai\.(generateText|streamText|generateObject|streamObject)$/.test(operationId)) return 'AGENT';
  if (/^ai\.(embed|embedMany)$/.test(operationId)) return 'EMBEDDING';
  return undefined;
}

export function mapKind(bag: AttributeBag, hasUsage: boolean): SpanKindName {
  const oi = bag.pickString(['openinference.span.kind']);
  if (oi) return OPENINFERENCE_KINDS[oi.toUpperCase()] ?? 'SPAN';
  const operation = bag.pickString(['gen_ai.operation.name']);
  if (operation) return GENAI_OPERATIONS[operation] ?? 'SPAN';
  const traceloop = bag.pickString(['traceloop.span.kind']);
  if (traceloop && TRACELOOP_KINDS[traceloop]) return TRACELOOP_KINDS[traceloop];
  const requestType = bag.pickString(['llm.request.type']);
  if (requestType && LLM_REQUEST_TYPES[requestType]) return LLM_REQUEST_TYPES[requestType];
  const vercel = bag.pickString(['ai.operationId']);
  const fromVercel = vercel ? vercelKind(vercel) : undefined;
  if (fromVercel) return fromVercel;
  // A hand-made span that names a model and reports usage is a model call.
  return hasUsage ? 'GENERATION' : 'SPAN';
}
