import { definePlugin, type Redactor } from '../core/index';
import { customPatternEngine } from './custom-pattern';
import { DEFAULT_PII_RULE_SET, piiRedactorsFor, ALL_PII_RULES } from './pii-rules';

export interface UseRedactionOptions {
  /**
   * Extra redactors that run on every project, after the PII rules.
   * @default []
   */
  extraRedactors?: Redactor[];
}

/**
 * Only on projects with `piiRedaction` on that chose this rule (`piiRules`; the default set when
 * the context names none): content of other projects is left as sent.
 */
function whenChosen(redactor: Redactor): Redactor {
  return {
    name: redactor.name,
    appliesTo: (project) => project.piiRedaction && project.piiRules.includes(redactor.name),
    // Checked again per call, for a caller that does not ask appliesTo first.
    redact: (text, ctx) =>
      ctx.piiRedaction && (ctx.piiRules ?? DEFAULT_PII_RULE_SET).includes(redactor.name) ? redactor.redact(text, ctx) : { text, hits: 0 },
  };
}

/**
 * The built-in redaction plugin: the PII rules a project chose (e-mail, phone, card and secret by
 * default; IBAN, IP and SSN on request) on projects with `piiRedaction` on, and the engine that
 * runs the projects' own custom patterns (RE2 syntax, linear time, in a worker thread).
 */
export function useRedaction(options: UseRedactionOptions = {}) {
  return definePlugin({
    name: 'redaction',
    redactors: [...piiRedactorsFor(ALL_PII_RULES).map(whenChosen), ...(options.extraRedactors ?? [])],
    customPatterns: customPatternEngine,
  });
}
