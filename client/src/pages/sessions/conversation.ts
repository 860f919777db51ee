import { asChatMessages, messageText } from '../../lib/content-shape';

// One trace of a session as one turn of a conversation: what the user said and what came back.
// Taken from the root span when it recorded them, else from the trace's generations — the last
// user message of the first one, the output of the last one.

export interface TurnSpan {
  parentId?: string | null;
  kind: string;
  input?: unknown;
  output?: unknown;
}

export interface Turn {
  /** The user's words; null when nothing readable was recorded. */
  user: string | null;
  /** The answer; null when nothing readable was recorded. */
  assistant: string | null;
}

function lastUserText(value: unknown): string | null {
  if (typeof value === 'string') return value;
  const messages = asChatMessages(value);
  if (messages) {
    const user = [...messages].reverse().find((m) => m.role === 'user');
    return user ? messageText(user.content) : null;
  }
  // Responses API and many frameworks: { input: "…" } or { query: "…" }.
  if (value && typeof value === 'object') {
    const v = value as Record<string, unknown>;
    for (const key of ['input', 'query', 'question', 'prompt']) if (typeof v[key] === 'string') return v[key] as string;
    if (v.input !== undefined && v.input !== value) return lastUserText(v.input);
  }
  return null;
}

function answerText(value: unknown): string | null {
  if (typeof value === 'string') return value;
  const messages = asChatMessages(value);
  if (messages) {
    const last = [...messages].reverse().find((m) => m.role === 'assistant') ?? messages.at(-1);
    const text = last ? messageText(last.content) : null;
    if (text !== null) return text;
  }
  // Responses API output: [{ type: 'message', content: [{ type: 'output_text', text }] }].
  if (Array.isArray(value)) {
    const texts = value.flatMap((item) => {
      const content = (item as { content?: unknown })?.content;
      return Array.isArray(content) ? content.map((c) => (c as { text?: unknown })?.text).filter((t): t is string => typeof t === 'string') : [];
    });
    if (texts.length) return texts.join('\n');
  }
  if (value && typeof value === 'object') {
    const v = value as Record<string, unknown>;
    for (const key of ['output', 'answer', 'text', 'content']) if (typeof v[key] === 'string') return v[key] as string;
  }
  return null;
}

export function turnOf(spans: TurnSpan[]): Turn {
  const root = spans.find((s) => !s.parentId);
  const generations = spans.filter((s) => s.kind === 'GENERATION');
  const user = lastUserText(root?.input) ?? (generations[0] ? lastUserText(generations[0].input) : null);
  const assistant = answerText(root?.output) ?? (generations.at(-1) ? answerText(generations.at(-1)!.output) : null);
  return { user, assistant };
}
