import type { EndOptions } from '../tracing/types.js';
import type { CallAdapter, StreamAccumulator } from './call-adapter.js';
import { pickParams, usageOf } from './shape.js';

// chat.completions.create: what to record from its parameters, its response and its stream.
// Shapes are read structurally (no import of the openai package: the SDK depends on nothing).

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj => (v !== null && typeof v === 'object' ? (v as Obj) : {});

interface ToolCallParts {
  id?: string;
  type?: string;
  function: { name: string; arguments: string };
}

class ChatStream implements StreamAccumulator {
  private content = '';
  private refusal = '';
  private readonly toolCalls: ToolCallParts[] = [];
  private finishReason: unknown = undefined;
  private usage: EndOptions['usage'];
  firstToken = false;

  add(chunk: unknown): void {
    const c = obj(chunk);
    if (c.usage) this.usage = usageOf(c.usage);
    const choices = Array.isArray(c.choices) ? c.choices : [];
    for (const choice of choices) {
      const ch = obj(choice);
      if ((ch.index ?? 0) !== 0) continue; // n > 1 streams: the first choice is the answer we record
      if (ch.finish_reason != null) this.finishReason = ch.finish_reason;
      const delta = obj(ch.delta);
      if (typeof delta.content === 'string' && delta.content !== '') {
        this.content += delta.content;
        this.firstToken = true;
      }
      if (typeof delta.refusal === 'string' && delta.refusal !== '') {
        this.refusal += delta.refusal;
        this.firstToken = true;
      }
      if (Array.isArray(delta.tool_calls)) {
        this.firstToken = true;
        for (const part of delta.tool_calls) this.addToolCall(obj(part));
      }
    }
  }

  private addToolCall(part: Obj): void {
    const index = typeof part.index === 'number' ? part.index : this.toolCalls.length;
    const call = (this.toolCalls[index] ??= { function: { name: '', arguments: '' } });
    if (typeof part.id === 'string') call.id = part.id;
    if (typeof part.type === 'string') call.type = part.type;
    const fn = obj(part.function);
    if (typeof fn.name === 'string') call.function.name += fn.name;
    if (typeof fn.arguments === 'string') call.function.arguments += fn.arguments;
  }

  result(): EndOptions {
    const message: Obj = { role: 'assistant', content: this.content === '' && this.toolCalls.length > 0 ? null : this.content };
    if (this.refusal !== '') message.refusal = this.refusal;
    if (this.toolCalls.length > 0) message.tool_calls = this.toolCalls.filter(Boolean);
    return {
      output: message,
      ...(this.usage !== undefined && { usage: this.usage }),
      ...(this.finishReason !== undefined && { metadata: { finish_reason: this.finishReason } }),
    };
  }
}

export const chatCompletionsAdapter: CallAdapter = {
  name: 'openai.chat.completions',
  start(params) {
    const p = obj(params);
    return { model: typeof p.model === 'string' ? p.model : undefined, input: p.messages, metadata: pickParams(p) };
  },
  fromResponse(response) {
    const r = obj(response);
    const choices = Array.isArray(r.choices) ? r.choices.map((c) => obj(c)) : [];
    const output = choices.length === 1 ? choices[0]?.message : choices.map((c) => c.message);
    const finish = choices[0]?.finish_reason;
    return {
      output,
      ...(r.usage !== undefined && { usage: usageOf(r.usage) }),
      ...(finish != null && { metadata: { finish_reason: finish } }),
    };
  },
  stream: () => new ChatStream(),
};
