// Span content is free-form JSON. The common shapes of LLM calls are shown as a conversation;
// anything else as a collapsible JSON tree.

export interface ChatMessage {
  role: string;
  content: unknown;
  name?: string;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isMessage = (v: unknown): v is ChatMessage => isRecord(v) && typeof v.role === 'string' && 'content' in v;

/** Messages when the value is a chat (a message list, `{ messages }`, one message, or `{ choices }`); null otherwise. */
export function asChatMessages(value: unknown): ChatMessage[] | null {
  if (Array.isArray(value)) return value.length > 0 && value.every(isMessage) ? value : null;
  if (!isRecord(value)) return null;
  if (Array.isArray(value.messages)) return asChatMessages(value.messages);
  if (isMessage(value)) return [value];
  if (Array.isArray(value.choices)) {
    const messages = value.choices.map((c) => (isRecord(c) ? c.message : undefined));
    return messages.length > 0 && messages.every(isMessage) ? (messages as ChatMessage[]) : null;
  }
  return null;
}

/** Message content as text when it is text (or OpenAI's list of text parts); null for anything richer. */
export function messageText(content: unknown): string | null {
  if (typeof content === 'string') return content;
  if (content === null || content === undefined) return '';
  if (Array.isArray(content) && content.every((p) => isRecord(p) && p.type === 'text' && typeof p.text === 'string')) {
    return content.map((p) => (p as { text: string }).text).join('\n');
  }
  return null;
}
