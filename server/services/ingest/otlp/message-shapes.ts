// Chat messages as the conventions spell them → the one shape the dashboard shows as a
// conversation: `{ role, content, …extras }`, content a string when the message is only text.
//   - GenAI semconv: `[{ role, parts: [{ type: 'text', content }, …], finish_reason? }]`
//   - OpenInference: flattened attributes `N.message.role`, `N.message.content`,
//     `N.message.contents.M.message_content.text`, `N.message.tool_calls.K.tool_call.function.name`
//   - OpenLLMetry (Traceloop): flattened `N.role`, `N.content`, `N.finish_reason`
//   - the Vercel AI SDK's `ai.prompt.messages`: already `{ role, content }`

export interface ChatMessage {
  role: string;
  content: unknown;
  [extra: string]: unknown;
}

export const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A JSON attribute may arrive as a JSON string or already structured (an OTLP array/kvlist). */
export function parseJsonValue(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  // The first character that is not whitespace decides; no trimmed copy of a long prompt is made.
  let i = 0;
  while (i < value.length && (value.charCodeAt(i) <= 0x20)) i++;
  const first = value.charCodeAt(i);
  if (first !== 0x7b /* { */ && first !== 0x5b /* [ */) return value;
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}

/** GenAI parts → a string when all are text, else the parts as sent. */
export function genAiPartsToContent(parts: unknown): unknown {
  if (!Array.isArray(parts)) return parts ?? null;
  const texts = parts.map((p) => (isRecord(p) && p.type === 'text' && typeof p.content === 'string' ? p.content : null));
  return texts.every((t) => t !== null) ? texts.join('\n') : parts;
}

/** `gen_ai.input.messages` / `gen_ai.output.messages` → messages; null when the value is not a message list. */
export function genAiMessages(value: unknown): ChatMessage[] | null {
  const list = parseJsonValue(value);
  if (!Array.isArray(list) || list.length === 0 || !list.every(isRecord)) return null;
  return list.map((m) => {
    const { role, parts, ...rest } = m;
    const content = parts !== undefined ? genAiPartsToContent(parts) : (rest.content ?? null);
    delete rest.content;
    return { role: typeof role === 'string' ? role : 'user', content, ...rest };
  });
}

/** `gen_ai.system_instructions` (a list of parts, or a plain string) → one system message. */
export function systemMessage(value: unknown): ChatMessage | null {
  const parsed = parseJsonValue(value);
  if (parsed === undefined || parsed === null || parsed === '') return null;
  return { role: 'system', content: genAiPartsToContent(parsed) };
}

// --- flattened attributes ---------------------------------------------------------------------

const MAX_FLAT_SEGMENTS = 16;

/**
 * `[["0.message.role", "user"], ["0.message.content", "hi"]]` → `[{ message: { role: 'user', content: 'hi' } }]`.
 * Numeric segments become list positions, in index order (never a sparse array, whatever the index).
 */
export function unflatten(entries: readonly [string, unknown][]): unknown {
  const root: Record<string, unknown> = {};
  for (const [key, value] of entries) {
    const path = key.split('.');
    if (path.length > MAX_FLAT_SEGMENTS || path.some((p) => p === '' || p === '__proto__')) continue;
    let node = root;
    for (let i = 0; i < path.length - 1; i++) {
      const next = node[path[i]!];
      node = (isRecord(next) ? next : (node[path[i]!] = {})) as Record<string, unknown>;
    }
    node[path.at(-1)!] = value;
  }
  return listify(root);
}

function listify(node: unknown): unknown {
  if (!isRecord(node)) return node;
  const keys = Object.keys(node);
  if (keys.length > 0 && keys.every((k) => /^\d+$/.test(k))) {
    return keys.sort((a, b) => Number(a) - Number(b)).map((k) => listify(node[k]));
  }
  for (const k of keys) node[k] = listify(node[k]);
  return node;
}

/** OpenInference `llm.input_messages.*` / `llm.output_messages.*` (prefix already cut off). */
export function openInferenceMessages(entries: readonly [string, unknown][]): ChatMessage[] | null {
  const list = unflatten(entries);
  if (!Array.isArray(list) || list.length === 0) return null;
  return list.map((item) => {
    const m = isRecord(item) && isRecord(item.message) ? item.message : {};
    const out: ChatMessage = { role: typeof m.role === 'string' ? m.role : 'user', content: m.content ?? contentsToContent(m.contents) };
    if (typeof m.name === 'string') out.name = m.name;
    if (typeof m.tool_call_id === 'string') out.tool_call_id = m.tool_call_id;
    if (Array.isArray(m.tool_calls)) {
      out.tool_calls = m.tool_calls.map((c) => {
        const call = isRecord(c) && isRecord(c.tool_call) ? c.tool_call : {};
        const fn = isRecord(call.function) ? call.function : {};
        return { id: call.id ?? null, type: 'function', function: { name: fn.name ?? null, arguments: fn.arguments ?? null } };
      });
    }
    return out;
  });
}

/** OpenInference `message.contents`: text parts → a string; otherwise OpenAI-style parts. */
function contentsToContent(contents: unknown): unknown {
  if (!Array.isArray(contents)) return null;
  const parts = contents.map((c) => (isRecord(c) && isRecord(c.message_content) ? c.message_content : {}));
  if (parts.every((p) => p.type === 'text' || (p.type === undefined && typeof p.text === 'string'))) {
    return parts.map((p) => (typeof p.text === 'string' ? p.text : '')).join('\n');
  }
  return parts.map((p) => {
    if (p.type === 'image' && isRecord(p.image) && isRecord(p.image.image)) return { type: 'image_url', image_url: { url: p.image.image.url } };
    return p.type === 'text' ? { type: 'text', text: p.text } : p;
  });
}

/** OpenLLMetry's `gen_ai.prompt.N.*` / `gen_ai.completion.N.*` (prefix already cut off). */
export function indexedMessages(entries: readonly [string, unknown][]): ChatMessage[] | null {
  const list = unflatten(entries);
  if (!Array.isArray(list) || list.length === 0) return null;
  return list.map((item) => {
    const m = isRecord(item) ? item : {};
    const { role, content, ...rest } = m;
    return { role: typeof role === 'string' ? role : 'user', content: parseJsonValue(content ?? null), ...rest };
  });
}

/** The Vercel AI SDK's `ai.prompt.messages` (a JSON list), or `ai.prompt` (`{ system, prompt, messages }`). */
export function vercelPromptMessages(messages: unknown, prompt: unknown): ChatMessage[] | null {
  const list = parseJsonValue(messages);
  if (Array.isArray(list) && list.length > 0 && list.every(isRecord)) return list as ChatMessage[];
  const p = parseJsonValue(prompt);
  if (!isRecord(p)) return null;
  const out: ChatMessage[] = [];
  if (typeof p.system === 'string') out.push({ role: 'system', content: p.system });
  if (Array.isArray(p.messages)) out.push(...(p.messages.filter(isRecord) as ChatMessage[]));
  else if (p.prompt !== undefined) out.push({ role: 'user', content: p.prompt });
  return out.length > 0 ? out : null;
}

/** One message as a span's output is usually read (the reply); several as a list. */
export function asOutput(messages: ChatMessage[]): unknown {
  return messages.length === 1 ? messages[0] : messages;
}
