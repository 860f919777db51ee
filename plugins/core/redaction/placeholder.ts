/**
 * What a redactor puts where it removed something: `[REDACTED:<rule>]`, the convention of every
 * built-in rule, so dashboards and reviewers read all rules alike. It holds no digit, `@` or
 * letter run a PII rule could match again.
 */
export const redactionPlaceholder = (rule: string): string => `[REDACTED:${rule}]`;
