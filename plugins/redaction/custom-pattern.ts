import { RE2JS } from 're2js';
import { redactionPlaceholder, type CustomPatternEngine, type CustomPatternSpec, type RedactContext, type RedactionResult, type Redactor } from '../core/index';

// Project-defined redaction rules: `{ name: 'customer-id', pattern: 'CUST-\\d{6}' }` replaces each
// match with `[REDACTED:customer-id]`.
//
// Patterns are written by project admins and run over content anyone with an ingest key sends,
// so they run on RE2 (re2js, a pure-JS port): matching time grows linearly with the input for
// every pattern, there is no backtracking to blow up, and no pattern has to be analysed for it.
// Linear is not cheap, though: the cost is input length × program size, and `\d{1,1000}X` over
// 1 MB of digits takes tens of seconds. So the server runs this engine in a worker thread that it
// terminates at the request's redaction deadline (`workerModule` below); bench/custom-patterns.ts
// measures both engines.
//
// Syntax: RE2's (https://github.com/google/re2/wiki/Syntax) — no backreferences and no lookahead
// or lookbehind; `\d`, `\w`, `\s`, `\b` are ASCII; `\p{L}` and other Unicode classes work; `(?i)`
// turns on case-insensitive matching. What RE2 cannot compile is refused when the pattern is
// saved, with RE2's reason. Also refused: more than 500 characters, a compiled program over
// MAX_PROGRAM_SIZE instructions (`x{1,1000}` counts 1,000 times), and a pattern that matches the
// empty string (it would insert a placeholder everywhere).

export const CUSTOM_PATTERN_MAX_LENGTH = 500;
export const CUSTOM_PATTERN_NAME = /^[a-z0-9][a-z0-9-]{0,62}$/;
/** RE2's own limit for one repetition is 1,000; this bounds a whole pattern's program. */
export const MAX_PROGRAM_SIZE = 2500;

export class CustomPatternError extends Error {
  override readonly name = 'CustomPatternError';
}

/** An error message for a bad rule name, or undefined. */
export function checkCustomPatternName(name: unknown): string | undefined {
  if (typeof name !== 'string' || !CUSTOM_PATTERN_NAME.test(name)) {
    return 'The rule name must be 1–63 characters of a-z, 0-9 and "-", not starting with "-".';
  }
  return undefined;
}

function compileRe2(pattern: unknown): { error: string } | { re: RE2JS } {
  if (typeof pattern !== 'string') return { error: 'The pattern must be a string.' };
  if (pattern.length === 0) return { error: 'The pattern is empty.' };
  if (pattern.length > CUSTOM_PATTERN_MAX_LENGTH) return { error: `The pattern is longer than ${CUSTOM_PATTERN_MAX_LENGTH} characters.` };
  let re: RE2JS;
  try {
    re = RE2JS.compile(pattern);
  } catch (err) {
    // RE2's message quotes the offending part of the pattern (the admin's own text), never content.
    const why = err instanceof Error ? err.message.replace(/^error parsing regexp: /, '') : String(err);
    return { error: `RE2 cannot compile it: ${why}. Custom patterns use RE2 syntax: no backreferences, lookahead or lookbehind.` };
  }
  if (re.programSize() > MAX_PROGRAM_SIZE) {
    return { error: `The pattern is too large once compiled (${re.programSize()} instructions, at most ${MAX_PROGRAM_SIZE}); use smaller repetition counts.` };
  }
  if (re.matcher('').find()) return { error: 'The pattern matches the empty string.' };
  return { re };
}

/** An error message for a pattern that cannot be used, or undefined. */
export function checkCustomPattern(pattern: unknown): string | undefined {
  const compiled = compileRe2(pattern);
  return 'error' in compiled ? compiled.error : undefined;
}

/** Builds the redactor; throws `CustomPatternError` for a bad name or pattern. */
export function compileCustomPattern(spec: CustomPatternSpec): Redactor & { pattern: string } {
  const nameError = checkCustomPatternName(spec.name);
  if (nameError) throw new CustomPatternError(nameError);
  const compiled = compileRe2(spec.pattern);
  if ('error' in compiled) throw new CustomPatternError(`Pattern for "${spec.name}": ${compiled.error}`);
  const { re } = compiled;
  const replacement = redactionPlaceholder(spec.name);
  return {
    name: spec.name,
    pattern: spec.pattern,
    redact(text: string, _ctx: RedactContext): RedactionResult {
      const matcher = re.matcher(text);
      const out: string[] = [];
      let emitted = 0;
      let hits = 0;
      while (matcher.find()) {
        const start = matcher.start();
        const end = matcher.end();
        if (end === start) continue; // a zero-width match (`\b` inside an alternation): nothing to hide
        out.push(text.slice(emitted, start), replacement);
        emitted = end;
        hits++;
      }
      if (hits === 0) return { text, hits };
      out.push(text.slice(emitted));
      return { text: out.join(''), hits };
    },
  };
}

/** The redaction plugin's engine for project custom patterns (see the plugin contract). */
export const customPatternEngine: CustomPatternEngine = {
  syntax: 'RE2',
  check: checkCustomPattern,
  compile: compileCustomPattern,
  workerModule: import.meta.url,
};
