// Redaction rules shared by the server and the SDK. No `node:` imports anywhere in here, so the
// SDK can bundle this directory for the browser as well as for Node.

export {
  piiRedactors,
  secretRedactor,
  emailRedactor,
  cardRedactor,
  phoneRedactor,
  redactionPlaceholder,
  luhnValid,
  isCardNumber,
} from './pii-rules';
export { redactValue, redactText, RedactionTimeoutError } from './redact-json';
export type { RedactionBudget, RedactValueResult } from './redact-json';
export {
  compileCustomPattern,
  checkCustomPattern,
  checkCustomPatternName,
  CustomPatternError,
  CUSTOM_PATTERN_MAX_LENGTH,
  REPETITION_CAP,
} from './custom-pattern';
export type { CompileOptions, CustomPatternSpec, CustomPatternRedactor } from './custom-pattern';
