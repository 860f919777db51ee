import { redactionPlaceholder } from '../../core/redaction/placeholder.js';
import type { RedactContext, RedactionResult, Redactor } from '../../core/redaction/types.js';
import { replaceMatches } from './replace-matches.js';

// ---------------------------------------------------------------------------------------------
// secret
// ---------------------------------------------------------------------------------------------

const SECRET = redactionPlaceholder('secret');

/** Not glued to the end of a longer token (`task-…` must not start an `sk-` key). */
const TOKEN_START = String.raw`(?<![\p{L}\p{N}_\-])`;

const SECRET_PATTERNS: string[] = [
  // PEM private key, any kind: a BEGIN marker naming an RSA, EC, OPENSSH, ENCRYPTED or plain
  // PRIVATE KEY, or PGP's PRIVATE KEY BLOCK, across lines.
  // The body is everything up to the next `-----` (a body never contains five dashes), at most
  // 16 KiB (an RSA-8192 key is ~6.5 KB). It is captured inside a look-ahead and re-matched with
  // `\k<pem>`: JS has no atomic groups, and this is the standard emulation — a look-ahead is never
  // re-entered, so a missing END costs one scan to the next `-----` instead of a backtrack over
  // every body length (100 KB of BEGIN markers went from 115 ms to ~1 ms).
  // Without an END marker (a truncated log line) we still redact the marker and the base64 lines
  // after it — real newlines or JSON-escaped `\n`.
  String.raw`-----BEGIN [A-Z0-9 ]{0,40}PRIVATE KEY(?: BLOCK)?-----(?:(?=(?<pem>(?:[^\-]|-(?!----)){0,16384}))\k<pem>-----END [A-Z0-9 ]{0,40}PRIVATE KEY(?: BLOCK)?-----|(?:(?:\r?\n|\\r\\n|\\n)[A-Za-z0-9+\/=]{1,128}){0,256})`,
  // JWT / JWE: header is base64url JSON (`{"` encodes as `eyJ`); 3 segments (JWS; the signature
  // is empty for alg=none) or 5 (JWE; the key segment is empty for alg=dir). Segments cannot
  // contain `.`, so there is one way to split; the two extra JWE segments must be non-empty, so
  // a sentence's closing `.` after a JWT stays outside the match.
  String.raw`${TOKEN_START}eyJ[A-Za-z0-9_\-]{5,}\.[A-Za-z0-9_\-]*\.[A-Za-z0-9_\-]*(?:\.[A-Za-z0-9_\-]+\.[A-Za-z0-9_\-]+)?`,
  // Anthropic `sk-ant-…`, OpenAI `sk-proj-…` / `sk-svcacct-…` / `sk-admin-…`: distinctive prefix.
  // Legacy OpenAI `sk-<48 alnum>` (and other providers' `sk-<hex>`): 20 letters/digits with no
  // dash, then any token characters, and a digit before the first non-letter — so kebab-case
  // words (`sk-learn-compatible-transformers`) are not taken for a key. (A random 48-character
  // base62 key has no digit with probability 0.02%.)
  String.raw`${TOKEN_START}sk-(?:(?:ant|proj|svcacct|admin)-[A-Za-z0-9_\-]{20,}|(?=[A-Za-z]{0,64}\d)[A-Za-z0-9]{20}[A-Za-z0-9_\-]*)`,
  // Google API key: `AIza` + 35 (39 characters in all).
  String.raw`${TOKEN_START}AIza[0-9A-Za-z_\-]{35}`,
  // AWS access key id (long-term `AKIA`, temporary `ASIA`).
  String.raw`\b(?:AKIA|ASIA)[0-9A-Z]{16}\b`,
  // AWS secret access key: 40 base64 characters after the setting's name (credentials file,
  // env, JSON, YAML). Only the value is replaced; the name and separator (`awsName`) are kept.
  String.raw`(?<awsName>(?:aws_secret_access_key|AWS_SECRET_ACCESS_KEY|[Ss]ecretAccessKey|aws_secret_key|AWS_SECRET_KEY)["']?[ \t]{0,8}[:=][ \t]{0,8}["']?)[A-Za-z0-9\/+]{40}(?![A-Za-z0-9\/+=])`,
  // GitHub: classic `ghp_` (PAT), `gho_` (OAuth), `ghu_`/`ghs_` (app user/server), `ghr_`
  // (refresh) — 36 base62 after the prefix; fine-grained `github_pat_<22>_<59>`.
  String.raw`\b(?:gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{22,})`,
  // Slack bot/app/user/refresh tokens.
  String.raw`\bxox[abpr]-[A-Za-z0-9\-]{10,}`,
  // Stripe secret and restricted keys (live; test-mode keys are credentials too).
  String.raw`\b(?:sk|rk)_(?:live|test)_[A-Za-z0-9]{16,}`,
  // Hugging Face access token.
  String.raw`\bhf_[A-Za-z0-9]{30,}`,
  // Our own ingest keys / personal access tokens (server/auth/secrets.ts): `ttk_`/`ttp_` + 61
  // base62. Shape only: the CRC check needs node:crypto-free code we do not want to duplicate,
  // and a well-formed look-alike with a bad checksum is worth hiding anyway.
  String.raw`\btt[kp]_[0-9A-Za-z]{61}(?![0-9A-Za-z])`,
];

const SECRET_REGEX = new RegExp(SECRET_PATTERNS.join('|'), 'gu');

// Every pattern above starts with (or, for the AWS setting names, contains) one of these literals:
// `-----BEGIN `, `eyJ`, `sk-`, `AIza`, `AKIA`, `ASIA`, `aws_secret`, `AWS_SECRET`, `ecretAccessKey`,
// `gh[pousr]_`, `github_pat_`, `xox[abpr]-`, `[sr]k_live_`, `[sr]k_test_`, `hf_`, `tt[kp]_`. A text
// without any of them cannot hold a secret, so the full regex (a Unicode look-behind tried at every
// position: 30 MB/s on text with a non-Latin-1 character) runs only when one is there.
// The gate finds each literal by a character that is rare in prose (`-`, `J`, `z`, `K`, `S`, `_`)
// and checks the characters before it with a look-behind. Written as a plain alternation of the
// literals, V8 tried every alternative at each of the many positions holding `e`, `s`, `a`, `t`, …:
// 480 MB/s against 900 (bench:redaction; secret-gate.test.ts proves both admit the same texts).
export const SECRET_GATE =
  /[-JzKS_](?:(?<=-)----BEGIN |(?<=sk-)|(?<=xox[abpr]-)|(?<=eyJ)|(?<=AIz)a|(?<=AK)IA|(?<=AS)IA|(?<=ecretAccessK)ey|(?<=aws_)secret|(?<=AWS_)SECRET|(?<=gh[pousr]_)|(?<=github_)pat_|(?<=[sr]k_)(?:live|test)_|(?<=hf_)|(?<=tt[kp]_))/;

export const secretRedactor: Redactor = {
  name: 'secret',
  redact(text: string, _ctx: RedactContext): RedactionResult {
    if (!SECRET_GATE.test(text)) return { text, hits: 0 };
    return replaceMatches(text, SECRET_REGEX, (_match, named) => {
      const awsKeyName = named.awsName;
      return { text: awsKeyName === undefined ? SECRET : awsKeyName + SECRET, hits: 1 };
    });
  },
};

