import type { AttributeBag } from './attribute-bag';
import {
  asOutput,
  genAiMessages,
  indexedMessages,
  isRecord,
  openInferenceMessages,
  parseJsonValue,
  systemMessage,
  unflatten,
  vercelPromptMessages,
  type ChatMessage,
} from './message-shapes';
import type { SpanEvent } from './span-events';

// A span's content (input, output) from whichever convention the instrumentation follows, first
// match wins (the table in docs/otel.md). Content is stored encrypted like SDK content, and every
// content attribute is kept out of the span's metadata — which is stored in plain text — whether
// it was used or not.

/** Attributes that carry prompts, completions, tool arguments or documents. */
const CONTENT_KEYS = new Set([
  'gen_ai.input.messages', 'gen_ai.output.messages', 'gen_ai.system_instructions', 'gen_ai.tool.definitions',
  'gen_ai.tool.call.arguments', 'gen_ai.tool.call.result', 'gen_ai.retrieval.documents', 'gen_ai.retrieval.query.text',
  'gen_ai.prompt', 'gen_ai.completion', 'input.value', 'output.value', 'llm.prompts', 'tool.parameters',
  'ai.prompt', 'ai.prompt.messages', 'ai.prompt.tools', 'ai.prompt.toolChoice', 'ai.response.text', 'ai.response.toolCalls',
  'ai.response.object', 'ai.response.reasoning', 'ai.response.files', 'ai.toolCall.args', 'ai.toolCall.result',
  'ai.value', 'ai.values', 'ai.embedding', 'ai.embeddings', 'ai.documents', 'ai.request.text', 'ai.ranking',
  'traceloop.entity.input', 'traceloop.entity.output',
]);
const CONTENT_PREFIXES = [
  'gen_ai.prompt.', 'gen_ai.completion.', 'llm.input_messages.', 'llm.output_messages.', 'llm.prompts.', 'llm.prompt_template.',
  'retrieval.documents.', 'embedding.embeddings.', 'reranker.input_documents.', 'reranker.output_documents.', 'reranker.query',
  'ai.prompt.', 'ai.response.text', 'ai.settings.context.',
];

export function isContentAttribute(key: string): boolean {
  return CONTENT_KEYS.has(key) || CONTENT_PREFIXES.some((p) => key.startsWith(p));
}

export interface MappedContent {
  input: unknown;
  output: unknown;
}

export function mapContent(bag: AttributeBag, events: SpanEvent[]): MappedContent {
  return { input: mapInput(bag, events), output: mapOutput(bag, events) };
}

function withTools(messages: ChatMessage[], bag: AttributeBag): unknown {
  const tools = parseJsonValue(bag.pick(['gen_ai.tool.definitions']));
  return tools === undefined ? { messages } : { messages, tools };
}

function mapInput(bag: AttributeBag, events: SpanEvent[]): unknown {
  // GenAI semantic conventions: JSON attributes, then the older span-event form.
  const system = systemMessage(bag.pick(['gen_ai.system_instructions']));
  const genAi = genAiMessages(bag.pick(['gen_ai.input.messages']));
  if (genAi) return withTools(system ? [system, ...genAi] : genAi, bag);
  const fromEvents = eventMessages(events);
  if (fromEvents.length > 0) return withTools(system ? [system, ...fromEvents] : fromEvents, bag);
  if (system) return withTools([system], bag);
  // OpenInference, OpenLLMetry, the Vercel AI SDK's own attributes.
  const oi = openInferenceMessages(bag.takePrefix('llm.input_messages.'));
  if (oi) return { messages: oi };
  const traceloop = indexedMessages(bag.takePrefix('gen_ai.prompt.'));
  if (traceloop) return { messages: traceloop };
  const vercel = vercelPromptMessages(bag.pick(['ai.prompt.messages']), bag.pick(['ai.prompt']));
  if (vercel) return { messages: vercel };
  // Tools, retrieval and embeddings: their arguments, query or texts.
  const args = bag.pick(['gen_ai.tool.call.arguments', 'ai.toolCall.args']);
  if (args !== undefined) return parseJsonValue(args);
  const query = bag.pick(['gen_ai.retrieval.query.text']);
  if (query !== undefined) return query;
  const texts = unflatten(bag.takePrefix('embedding.embeddings.'));
  if (Array.isArray(texts)) {
    const list = texts.map((e) => (isRecord(e) && isRecord(e.embedding) ? e.embedding.text : undefined)).filter((t) => t !== undefined);
    if (list.length > 0) return list;
  }
  const values = bag.pick(['ai.values', 'ai.value']);
  if (values !== undefined) return parseJsonValue(values);
  // Generic: OpenInference's input.value (JSON when its mime type says so), OpenLLMetry's entity input.
  const generic = bag.pick(['input.value', 'traceloop.entity.input']);
  if (generic !== undefined) return bag.pick(['input.mime_type']) === 'text/plain' ? generic : parseJsonValue(generic);
  return null;
}

function mapOutput(bag: AttributeBag, events: SpanEvent[]): unknown {
  const genAi = genAiMessages(bag.pick(['gen_ai.output.messages']));
  if (genAi) return asOutput(genAi);
  const choices = choiceMessages(events);
  if (choices.length > 0) return asOutput(choices);
  const oi = openInferenceMessages(bag.takePrefix('llm.output_messages.'));
  if (oi) return asOutput(oi);
  const traceloop = indexedMessages(bag.takePrefix('gen_ai.completion.'));
  if (traceloop) return asOutput(traceloop);
  const text = bag.pick(['ai.response.text']);
  const toolCalls = parseJsonValue(bag.pick(['ai.response.toolCalls']));
  if (text !== undefined || toolCalls !== undefined) {
    return { role: 'assistant', content: text ?? null, ...(toolCalls !== undefined ? { tool_calls: toolCalls } : {}) };
  }
  const object = bag.pick(['ai.response.object']);
  if (object !== undefined) return parseJsonValue(object);
  const result = bag.pick(['gen_ai.tool.call.result', 'ai.toolCall.result']);
  if (result !== undefined) return parseJsonValue(result);
  const documents = bag.pick(['gen_ai.retrieval.documents']);
  if (documents !== undefined) return parseJsonValue(documents);
  const oiDocuments = unflatten(bag.takePrefix('retrieval.documents.'));
  if (Array.isArray(oiDocuments) && oiDocuments.length > 0) {
    return oiDocuments.map((d) => (isRecord(d) && isRecord(d.document) ? d.document : d));
  }
  const generic = bag.pick(['output.value', 'traceloop.entity.output']);
  if (generic !== undefined) return bag.pick(['output.mime_type']) === 'text/plain' ? generic : parseJsonValue(generic);
  return null;
}

// --- the older span-event form of the GenAI conventions ----------------------------------------

const ROLE_OF_EVENT: Record<string, string> = {
  'gen_ai.system.message': 'system',
  'gen_ai.user.message': 'user',
  'gen_ai.assistant.message': 'assistant',
  'gen_ai.tool.message': 'tool',
};

/** `gen_ai.{system,user,assistant,tool}.message` events, in order; or `gen_ai.content.prompt`'s `gen_ai.prompt`. */
function eventMessages(events: SpanEvent[]): ChatMessage[] {
  const out: ChatMessage[] = [];
  for (const event of events) {
    const role = ROLE_OF_EVENT[event.name];
    if (role) {
      event.consumed = true;
      const { role: explicitRole, content, ...rest } = event.attributes;
      out.push({ role: typeof explicitRole === 'string' ? explicitRole : role, content: parseJsonValue(content ?? null), ...rest });
    } else if (event.name === 'gen_ai.content.prompt') {
      event.consumed = true;
      const messages = genAiMessages(event.attributes['gen_ai.prompt']) ?? (parseJsonValue(event.attributes['gen_ai.prompt']) as ChatMessage[] | undefined);
      if (Array.isArray(messages)) out.push(...messages.filter(isRecord));
    }
  }
  return out;
}

/** `gen_ai.choice` events (`message`, `finish_reason`, `index`), or `gen_ai.content.completion`'s `gen_ai.completion`. */
function choiceMessages(events: SpanEvent[]): ChatMessage[] {
  const out: ChatMessage[] = [];
  for (const event of events) {
    if (event.name === 'gen_ai.choice') {
      event.consumed = true;
      const message = parseJsonValue(event.attributes.message);
      const base: ChatMessage = isRecord(message)
        ? { ...message, role: typeof message.role === 'string' ? message.role : 'assistant', content: message.content ?? null }
        : { role: 'assistant', content: message ?? null };
      if (event.attributes.finish_reason !== undefined) base.finish_reason = event.attributes.finish_reason;
      out.push(base);
    } else if (event.name === 'gen_ai.content.completion') {
      event.consumed = true;
      const messages = parseJsonValue(event.attributes['gen_ai.completion']);
      if (Array.isArray(messages)) out.push(...(messages.filter(isRecord) as ChatMessage[]));
      else if (messages !== undefined) out.push({ role: 'assistant', content: messages });
    }
  }
  return out;
}
