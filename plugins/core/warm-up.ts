import type { RedactContext, Redactor } from './plugin';

// V8 compiles a regex on its first run: for a large rule (the built-in secret rule is one
// alternation of a dozen patterns) that is tens of ms on a busy machine — more than a span's
// whole redaction budget, so the first span after a start would be rejected. The server and the
// testkit therefore run each redactor once on this sample, outside any budget, before it first
// meets a span.

const SAMPLE = 'Warm-up: ann@example.com, +1 (415) 555-2671, 4111 1111 1111 1111, sk-0000, CUST-123456, 2026-11-29, GB82 WEST 1234 5698 7654 32, 192.0.2.1, 2001:db8::1, 123-45-6789.';
// Every built-in rule, the opt-in ones too, so whichever a project chooses is warm.
const CTX: RedactContext = { projectId: 'warm-up', spanId: 'warm-up', field: 'input', piiRedaction: true, piiRules: ['email', 'phone', 'card', 'secret', 'iban', 'ip', 'ssn'] };
const warmed = new WeakSet<Redactor>();

/**
 * Runs each redactor not yet warmed on sample text. Errors are swallowed: a redactor that
 * fails here fails again on the real span, which is then rejected (or, in the testkit, rethrown).
 */
export function warmUpRedactors(redactors: Iterable<Redactor>): void {
  for (const redactor of redactors) {
    if (warmed.has(redactor)) continue;
    warmed.add(redactor);
    try {
      // Twice: V8 runs a new regex in its interpreter, then compiles it to machine code on the
      // next run (the second costs ~1 ms for the secret rule; the first up to tens).
      redactor.redact(SAMPLE, CTX);
      redactor.redact(SAMPLE, CTX);
    } catch {
      // see above
    }
  }
}
