import type { Redactor } from '../core/redaction/types.js';
import { cardRedactor } from './rules/card.js';
import { emailRedactor } from './rules/email.js';
import { ibanRedactor } from './rules/iban.js';
import { ipRedactor } from './rules/ip.js';
import { phoneRedactor } from './rules/phone.js';
import { secretRedactor } from './rules/secret.js';
import { ssnRedactor } from './rules/ssn.js';

// The built-in PII rules, shared by the server (through the redaction plugin) and the SDK, which
// compiles this file and rules/ into its package. No `node:` import and no Buffer anywhere here.
//
// ORDER. The rules a project chose run in this order, each on the output of the previous one:
//
//   1. secret  keys and tokens carry digit runs (`AKIA…`, JWTs, `sk-…`) that later rules would
//              otherwise read as a card or phone number and only half-redact;
//   2. email   local parts may be digits (`4155552671@example.com`), domains may be IP literals;
//   3. iban    `GB82 WEST 1234 5698 7654 32` holds digit groups the card rule could take;
//   4. card    `4111 1111 1111 1111` is four digit groups — the phone rule must not see it first;
//   5. ssn     `078-05-1120` before the phone rule reads digit groups;
//   6. ip      `192.0.2.1` before the phone rule (which skips IPv4 shapes anyway);
//   7. phone   the loosest rule, last.
//
// A placeholder (`[REDACTED:rule]`) holds no digit and no `@`, so no later rule matches it.
//
// LINEAR TIME. Every pattern is built so that, from any start position, the engine has a bounded
// amount of work: repeated groups are separated by a character the repeated part cannot contain,
// runs followed by something that can fail are bounded, and nothing is nested over overlapping
// classes. Where a candidate needs a check a regex cannot do (Luhn, mod 97, IIN ranges, digit
// counts, "is it a date"), the regex finds a candidate once and a function decides — the check
// never makes the regex retry. `pii-rules.test.ts` runs each rule over adversarial 100 KB inputs.

export type PiiRuleName = 'secret' | 'email' | 'iban' | 'card' | 'ssn' | 'ip' | 'phone';

/** Every built-in rule, in the order they run. */
export const ALL_PII_RULES: readonly PiiRuleName[] = ['secret', 'email', 'iban', 'card', 'ssn', 'ip', 'phone'];
/** What a project (and the SDK's `piiRedaction: true`) runs unless it chooses: the security page's rules. */
export const DEFAULT_PII_RULE_SET: readonly PiiRuleName[] = ['secret', 'email', 'card', 'phone'];
/** Off unless chosen: they redact values some teams need to read (addresses in logs, bank details). */
export const OPT_IN_PII_RULES: readonly PiiRuleName[] = ['iban', 'ssn', 'ip'];

const BY_NAME: Record<PiiRuleName, Redactor> = {
  secret: secretRedactor,
  email: emailRedactor,
  iban: ibanRedactor,
  card: cardRedactor,
  ssn: ssnRedactor,
  ip: ipRedactor,
  phone: phoneRedactor,
};

export const isPiiRuleName = (name: unknown): name is PiiRuleName => typeof name === 'string' && Object.hasOwn(BY_NAME, name);

/** The redactors of the chosen rules (unknown names ignored), in the order they must run. */
export function piiRedactorsFor(rules: readonly string[]): Redactor[] {
  const chosen = new Set(rules);
  return ALL_PII_RULES.filter((name) => chosen.has(name)).map((name) => BY_NAME[name]);
}

/** The default rule set's redactors, in order. */
export const piiRedactors: Redactor[] = piiRedactorsFor(DEFAULT_PII_RULE_SET);

export { secretRedactor, emailRedactor, ibanRedactor, cardRedactor, ssnRedactor, ipRedactor, phoneRedactor };
export { luhnValid, isCardNumber } from './rules/card.js';
