import type { EndOptions } from '../tracing/types.js';
import type { CallAdapter, StreamAccumulator } from './call-adapter.js';
import { pickParams, usageOf } from './shape.js';

// responses.create: parameters, response and server-sent events of the Responses API.

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj => (v !== null && typeof v === 'object' ? (v as Obj) : {});

function fromResponseObject(response: Obj): EndOptions {
  const failed = response.status === 'failed' || response.status === 'incomplete';
  const error = obj(response.error);
  const end: EndOptions = { output: response.output };
  if (response.usage !== undefined && response.usage !== null) end.usage = usageOf(response.usage);
  if (response.status === 'failed') {
    end.status = 'ERROR';
    end.statusMessage = typeof error.message === 'string' ? error.message : 'response failed';
  } else if (failed) {
    end.metadata = { status: response.status, incomplete_details: response.incomplete_details };
  }
  return end;
}

class ResponsesStream implements StreamAccumulator {
  private text = '';
  private final: Obj | undefined;
  private error: string | undefined;
  firstToken = false;

  add(event: unknown): void {
    const e = obj(event);
    const type = typeof e.type === 'string' ? e.type : '';
    if (type.endsWith('.delta')) {
      this.firstToken = true;
      if (type === 'response.output_text.delta' && typeof e.delta === 'string') this.text += e.delta;
    } else if (type === 'response.completed' || type === 'response.incomplete' || type === 'response.failed') {
      this.final = obj(e.response);
    } else if (type === 'error') {
      this.error = typeof e.message === 'string' ? e.message : 'stream error';
    }
  }

  result(): EndOptions {
    const end: EndOptions = this.final ? fromResponseObject(this.final) : { output: [{ type: 'message', role: 'assistant', content: [{ type: 'output_text', text: this.text }] }] };
    if (this.error !== undefined) {
      end.status = 'ERROR';
      end.statusMessage = this.error;
    }
    return end;
  }
}

export const responsesAdapter: CallAdapter = {
  name: 'openai.responses',
  start(params) {
    const p = obj(params);
    const input = p.instructions === undefined ? p.input : { instructions: p.instructions, input: p.input };
    return { model: typeof p.model === 'string' ? p.model : undefined, input, metadata: pickParams(p) };
  },
  fromResponse: (response) => fromResponseObject(obj(response)),
  stream: () => new ResponsesStream(),
};
