import { redactionPlaceholder } from '../../core/redaction/placeholder.js';
import type { RedactContext, RedactionResult, Redactor } from '../../core/redaction/types.js';
import { replaceInClusters } from './replace-matches.js';

// IPv4 and IPv6 addresses (opt-in). IPv4: four decimal octets 0–255, not part of a longer dotted
// run (`1.3.6.1.4.1.311` is an OID) and not after a word that makes it a version (`version
// 1.2.3.4`, `v10.0.0.1`, `build`, `release`). IPv6: a run of hex digits, colons and dots, checked
// by `isIpv6`: 1–8 groups of 1–4 hex digits, `::` at most once, an optional IPv4 tail, and at
// least one digit (`a::b` in C++ code is not an address). A port after it is kept.

const IP = redactionPlaceholder('ip');
const OCTET = String.raw`(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)`;
const IPV4 = new RegExp(String.raw`(?<![\p{L}\p{N}_.]|\p{N}\.)${OCTET}(?:\.${OCTET}){3}(?![\p{L}\p{N}_]|\.\p{N})`, 'gu');
const IPV6_CANDIDATE = /(?<![\p{L}\p{N}_:.])(?=[0-9A-Fa-f]{0,4}:[0-9A-Fa-f]{0,4}:)[0-9A-Fa-f:.]{2,45}(?![\p{L}\p{N}_])/gu;
// Clusters (see replaceInClusters): dotted digit runs for IPv4, hex runs with two colons for IPv6.
const V4_CLUSTER = /\d{1,3}(?:\.\d{1,3}){3,}/g;
const V6_CLUSTER = /[0-9A-Fa-f]{0,4}:[0-9A-Fa-f]{0,4}:[0-9A-Fa-f:.]*/g;
const VERSION_WORD = /(?:version|ver\.?|v|build|release|oid|rev)\s*$/i;

function isIpv4(text: string): boolean {
  const parts = text.split('.');
  return parts.length === 4 && parts.every((p) => /^(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/.test(p));
}

export function isIpv6(text: string): boolean {
  if (!/\d/.test(text)) return false;
  let body = text;
  let groupsNeeded = 8;
  const lastColon = body.lastIndexOf(':');
  if (body.includes('.', lastColon)) {
    if (!isIpv4(body.slice(lastColon + 1))) return false;
    body = body.slice(0, lastColon + 1) + '0';
    groupsNeeded = 7;
  }
  const halves = body.split('::');
  if (halves.length > 2) return false;
  const groups = (half: string) => (half === '' ? [] : half.split(':'));
  const all = halves.flatMap(groups);
  if (!all.every((g) => /^[0-9A-Fa-f]{1,4}$/.test(g))) return false;
  return halves.length === 2 ? all.length < groupsNeeded : all.length === groupsNeeded;
}

export const ipRedactor: Redactor = {
  name: 'ip',
  redact(text: string, _ctx: RedactContext): RedactionResult {
    // IPv6 first: `::ffff:192.0.2.128` holds an IPv4 tail.
    const v6 = replaceInClusters(text, V6_CLUSTER, () => true, IPV6_CANDIDATE, (match) => {
      // Trailing `:` (a port separator or punctuation) is not part of the address.
      const address = match.replace(/:+$/, (colons) => (colons.length === 2 ? '::' : ''));
      return isIpv6(address) ? { text: IP + match.slice(address.length), hits: 1 } : undefined;
    });
    const v4 = replaceInClusters(v6.text, V4_CLUSTER, () => true, IPV4, (_m, _g, index) =>
      VERSION_WORD.test(v6.text.slice(Math.max(0, index - 12), index)) ? undefined : { text: IP, hits: 1 },
    );
    return { text: v4.text, hits: v4.hits + v6.hits };
  },
};
