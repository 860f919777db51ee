import { redactionPlaceholder } from '../../core/redaction/placeholder.js';
import type { RedactContext, RedactionResult, Redactor } from '../../core/redaction/types.js';
import { replaceMatches } from './replace-matches.js';

// US social security number (opt-in): `123-45-6789` or `123 45 6789` — the same separator twice,
// not glued to a longer number or word. Numbers the SSA never issues are left alone: area 000,
// 666 or 900–999 (900–999 are ITINs), group 00, serial 0000. A bare nine-digit run is not taken:
// without separators it is as likely any id.

const SSN = redactionPlaceholder('ssn');
const CANDIDATE = /(?<![\p{L}\p{N}_\-.])(?<area>\d{3})(?<sep>[\- ])(?<group>\d{2})\k<sep>(?<serial>\d{4})(?![\p{L}\p{N}_]|[\-.]\p{N})/gu;

export function isIssuableSsn(area: string, group: string, serial: string): boolean {
  const a = Number(area);
  return a !== 0 && a !== 666 && a < 900 && group !== '00' && serial !== '0000';
}

export const ssnRedactor: Redactor = {
  name: 'ssn',
  redact(text: string, _ctx: RedactContext): RedactionResult {
    return replaceMatches(text, CANDIDATE, (_match, g) => (isIssuableSsn(g.area!, g.group!, g.serial!) ? { text: SSN, hits: 1 } : undefined));
  },
};
