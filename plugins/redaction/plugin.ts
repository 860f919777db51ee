import { definePlugin, type Redactor } from '../core/plugin';
import { piiRedactors } from './pii-rules';

export interface UseRedactionOptions {
  /**
   * Extra redactors that run on every project, after the PII rules.
   * @default []
   */
  extraRedactors?: Redactor[];
}

/** Only when the project turned `piiRedaction` on: content of other projects is left as sent. */
function whenPiiRedactionOn(redactor: Redactor): Redactor {
  return {
    name: redactor.name,
    appliesTo: (project) => project.piiRedaction,
    // Checked again per call, for a caller that does not ask appliesTo first.
    redact: (text, ctx) => (ctx.piiRedaction ? redactor.redact(text, ctx) : { text, hits: 0 }),
  };
}

/**
 * The built-in redaction plugin: e-mail, phone, card and secret rules, applied to span input,
 * output and metadata of projects with `piiRedaction` on. Per-project custom patterns are
 * applied by the server from the project's settings.
 */
export function useRedaction(options: UseRedactionOptions = {}) {
  return definePlugin({
    name: 'redaction',
    redactors: [...piiRedactors.map(whenPiiRedactionOn), ...(options.extraRedactors ?? [])],
  });
}
