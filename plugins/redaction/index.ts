// The built-in redaction plugin: what a config or the server imports. The PII rules are
// dependency-free (the SDK bundles pii-rules.ts and rules/); the custom-pattern engine uses re2js.

export { useRedaction } from './plugin';
export type { UseRedactionOptions } from './plugin';
export {
  ALL_PII_RULES,
  DEFAULT_PII_RULE_SET,
  OPT_IN_PII_RULES,
  isPiiRuleName,
  piiRedactors,
  piiRedactorsFor,
  secretRedactor,
  emailRedactor,
  ibanRedactor,
  cardRedactor,
  ssnRedactor,
  ipRedactor,
  phoneRedactor,
  luhnValid,
  isCardNumber,
} from './pii-rules';
export type { PiiRuleName } from './pii-rules';
export {
  compileCustomPattern,
  checkCustomPattern,
  checkCustomPatternName,
  customPatternEngine,
  CustomPatternError,
  CUSTOM_PATTERN_MAX_LENGTH,
  MAX_PROGRAM_SIZE,
} from './custom-pattern';
