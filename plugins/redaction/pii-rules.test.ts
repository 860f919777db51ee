import { describe, expect, it } from 'vitest';
import type { RedactContext } from '../core/plugin';
import { ALL_PII_RULES, cardRedactor, emailRedactor, isCardNumber, luhnValid, phoneRedactor, piiRedactors, piiRedactorsFor, secretRedactor } from './pii-rules';

const ctx: RedactContext = { projectId: 'p1', spanId: 's1', field: 'input', piiRedaction: true };

/** Every PII rule in order; hits per rule (rules without a hit absent). */
function redact(text: string): { text: string; hits: Record<string, number> } {
  let out = text;
  const hits: Record<string, number> = {};
  for (const rule of piiRedactors) {
    const result = rule.redact(out, ctx);
    if (result.hits > 0) hits[rule.name] = (hits[rule.name] ?? 0) + result.hits;
    out = result.text;
  }
  return { text: out, hits };
}

// Fixtures for secrets are assembled at run time so this file holds nothing a secret scanner
// would flag. `token(n)` is a fixed base62 string of length n, digits and both cases.
const BASE62 = 'Zq7Lw2Xr9Kp4Mv1Nt8Bs3Hd6Fj0Gc5Ya';
const token = (n: number): string => BASE62.repeat(Math.ceil(n / BASE62.length)).slice(0, n);
const b64url = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');
const jwt = [b64url({ alg: 'HS256', typ: 'JWT' }), b64url({ sub: '1234567890', name: 'Ann', iat: 1516239022 }), token(43)].join('.');
const pemBody = [token(64), token(64), token(20)].join('\n');
// PEM markers are assembled at run time too: no line of this file reads as a key to a scanner.
const pem = (edge: 'BEGIN' | 'END', kind: string): string => `${'-'.repeat(5)}${edge} ${kind}${'-'.repeat(5)}`;

describe('rule set', () => {
  it('has the four rules in the documented order: secret, email, card, phone', () => {
    expect(piiRedactors.map((r) => r.name)).toEqual(['secret', 'email', 'card', 'phone']);
  });

  it('runs chosen opt-in rules in their place: secret, email, iban, card, ssn, ip, phone', () => {
    expect(piiRedactorsFor(['phone', 'ip', 'iban', 'nope']).map((r) => r.name)).toEqual(['iban', 'ip', 'phone']);
    expect(piiRedactorsFor(ALL_PII_RULES).map((r) => r.name)).toEqual(['secret', 'email', 'iban', 'card', 'ssn', 'ip', 'phone']);
  });
});

describe('email', () => {
  it.each([
    ['plain', 'john.doe@example.com'],
    ['plus-addressing', 'john.doe+newsletter@example.com'],
    ['subdomains', 'ops@mail.eu.example.co.uk'],
    ['many labels', 'x@a.b.c.d.e.f.g.h.i.j.example.com'],
    ['quoted local part with dots', '"john..doe"@example.com'],
    ['quoted local part with a space', '"jane doe"@example.org'],
    ['apostrophe', "ann.o'brien@example.ie"],
    ['digits only local part', '4155552671@example.com'],
    ['upper case', 'Ann.Lee@Example.COM'],
    ['international', 'jöhn@exämple.de'],
    ['punycode TLD', 'ann@xn--80ak6aa92e.xn--p1ai'],
    ['address literal', 'admin@[192.0.2.1]'],
  ])('%s: %s', (_label, address) => {
    expect(redact(`write to ${address} today`)).toEqual({ text: 'write to [REDACTED:email] today', hits: { email: 1 } });
  });

  it('keeps the punctuation around an address', () => {
    expect(redact("<ann@example.com>, 'bob@example.org'. (mailto:cy@example.net)")).toEqual({
      text: "<[REDACTED:email]>, '[REDACTED:email]'. (mailto:[REDACTED:email])",
      hits: { email: 3 },
    });
  });

  it.each([
    ['no TLD', 'user@localhost'],
    ['a handle', 'ping @ann on chat'],
    ['a URL path with @', 'https://medium.com/@ann'],
    ['decorators', '@Component({ selector: "app" })'],
  ])('leaves %s alone: %s', (_label, text) => {
    expect(redact(text)).toEqual({ text, hits: {} });
  });
});

describe('phone', () => {
  it.each([
    ['UK international', '+44 20 7946 0958'],
    ['US international with brackets', '+1 (415) 555-2671'],
    ['DE international with dashes', '+49-30-1234567'],
    ['00 prefix', '0044 20 7946 0958'],
    ['international with (0)', '+44 (0)20 7946 0958'],
    ['FR international', '+33 6 12 34 56 78'],
    ['E.164 compact', '+14155552671'],
    ['US national, brackets', '(415) 555-2671'],
    ['US national, dots', '415.555.2671'],
    ['US national, dashes', '415-555-2671'],
    ['US national, spaces', '415 555 2671'],
    ['US with trunk 1', '1-800-555-0199'],
    ['UK national', '020 7946 0958'],
    ['UK national, brackets', '(020) 7946 0958'],
    ['UK mobile', '07700 900123'],
    ['FR national', '06 12 34 56 78'],
    ['FR national, dots', '06.12.34.56.78'],
    ['DE national, slash', '030/1234567'],
    ['NL national, dash', '06-12345678'],
  ])('%s: %s', (_label, number) => {
    expect(redact(`call ${number} now`)).toEqual({ text: 'call [REDACTED:phone] now', hits: { phone: 1 } });
  });

  it('redacts after a label with or without a space, and inside brackets', () => {
    expect(redact('Tel:020 7946 0958 (mobile: +44 7700 900123)')).toEqual({
      text: 'Tel:[REDACTED:phone] (mobile: [REDACTED:phone])',
      hits: { phone: 2 },
    });
  });

  it('stops before a following number (only the phone is replaced)', () => {
    expect(redact('call 020 7946 0958 12 times')).toEqual({ text: 'call [REDACTED:phone] 12 times', hits: { phone: 1 } });
  });
});

describe('card', () => {
  it.each([
    ['Visa, spaces', '4111 1111 1111 1111'],
    ['Visa, dashes', '4111-1111-1111-1111'],
    ['Visa, no separators', '4111111111111111'],
    ['Visa, 13 digits', '4222222222222'],
    ['Mastercard', '5555 5555 5555 4444'],
    ['Mastercard 2-series', '2223 0031 2200 3222'],
    ['Amex 4-6-5', '3782 822463 10005'],
    ['Diners 14 digits', '3056 930902 5904'],
    ['Discover', '6011 1111 1111 1117'],
    ['JCB', '3530-1113-3330-0000'],
    ['19 digits', '6221 2600 0000 0000 001'],
    ['19 digits, no separators', '4000000000000000006'],
  ])('%s: %s', (_label, number) => {
    expect(redact(`card ${number} exp 12/28`)).toEqual({ text: 'card [REDACTED:card] exp 12/28', hits: { card: 1 } });
  });

  it('finds a card after another number in the same run of groups', () => {
    expect(redact('order 123 4111 1111 1111 1111')).toEqual({ text: 'order 123 [REDACTED:card]', hits: { card: 1 } });
  });

  it('finds two cards separated by a space', () => {
    expect(redact('4111 1111 1111 1111 5555 5555 5555 4444')).toEqual({
      text: '[REDACTED:card] [REDACTED:card]',
      hits: { card: 2 },
    });
  });

  it('Luhn and network prefix', () => {
    expect(luhnValid('4111111111111111')).toBe(true);
    expect(luhnValid('4111111111111112')).toBe(false);
    expect(luhnValid('')).toBe(false);
    expect(luhnValid('41a1')).toBe(false);
    expect(isCardNumber('4111111111111111')).toBe(true);
    // Luhn-valid, but a millisecond timestamp: first digit 1 is no card network.
    expect(luhnValid('1732800000009')).toBe(true);
    expect(isCardNumber('1732800000009')).toBe(false);
    expect(isCardNumber('411111111111')).toBe(false); // 12 digits
  });
});

describe('secret', () => {
  const secrets: [string, string][] = [
    ['OpenAI legacy', `sk-${token(48)}`],
    ['OpenAI project', `sk-proj-${token(40)}_${token(20)}-${token(30)}`],
    ['OpenAI service account', `sk-svcacct-${token(60)}`],
    ['Anthropic', `sk-ant-api03-${token(93)}AA`],
    ['Google API key', `AIza${token(35)}`],
    ['AWS access key id', `AKIA${token(16).toUpperCase()}`],
    ['AWS temporary key id', `ASIA${token(16).toUpperCase()}`],
    ['GitHub PAT', `ghp_${token(36)}`],
    ['GitHub OAuth', `gho_${token(36)}`],
    ['GitHub server-to-server', `ghs_${token(36)}`],
    ['GitHub fine-grained PAT', `github_pat_${token(22)}_${token(59)}`],
    ['Slack bot', `xoxb-123456789012-1234567890123-${token(24)}`],
    ['Slack user', `xoxp-123456789012-1234567890123-1234567890123-${token(32)}`],
    ['Slack app-level', `xoxa-2-${token(40)}`],
    ['Slack refresh', `xoxr-${token(40)}`],
    ['Stripe live secret', `sk_live_${token(24)}`],
    ['Stripe live restricted', `rk_live_${token(24)}`],
    ['Stripe test secret', `sk_test_${token(24)}`],
    ['Hugging Face', `hf_${token(34)}`],
    ['JWT', jwt],
    ['JWT alg=none (empty signature)', `${b64url({ alg: 'none' })}.${b64url({ sub: '42' })}.`],
    ['JWE (5 segments, empty key)', `${b64url({ alg: 'dir', enc: 'A256GCM' })}..${token(16)}.${token(40)}.${token(22)}`],
    ['tokentrace ingest key', `ttk_${token(61)}`],
    ['tokentrace personal token', `ttp_${token(61)}`],
  ];
  it.each(secrets)('%s', (_label, secret) => {
    expect(redact(`key=${secret} ok`)).toEqual({ text: 'key=[REDACTED:secret] ok', hits: { secret: 1 } });
    expect(redact(`Authorization: Bearer ${secret}\n`)).toEqual({
      text: 'Authorization: Bearer [REDACTED:secret]\n',
      hits: { secret: 1 },
    });
  });

  it.each([
    ['credentials file', 'aws_secret_access_key = '],
    ['env', 'AWS_SECRET_ACCESS_KEY='],
    ['JSON', '"aws_secret_access_key": "'],
    ['SDK JSON', '"SecretAccessKey":"'],
    ['YAML', 'aws_secret_access_key: '],
  ])('AWS secret access key (%s): only the value is replaced', (_label, prefix) => {
    const value = `${token(30)}/${token(4)}+${token(4)}`; // 40 characters
    expect(value).toHaveLength(40);
    expect(redact(`${prefix}${value}`)).toEqual({ text: `${prefix}[REDACTED:secret]`, hits: { secret: 1 } });
  });

  it.each(['RSA PRIVATE KEY', 'EC PRIVATE KEY', 'OPENSSH PRIVATE KEY', 'PRIVATE KEY', 'ENCRYPTED PRIVATE KEY', 'PGP PRIVATE KEY BLOCK'])(
    'PEM block: %s, across lines',
    (kind) => {
      const block = `${pem('BEGIN', kind)}\n${pemBody}\n${pem('END', kind)}`;
      expect(redact(`key:\n${block}\nnext line`)).toEqual({ text: 'key:\n[REDACTED:secret]\nnext line', hits: { secret: 1 } });
    },
  );

  it('PEM block with JSON-escaped newlines, and a truncated one', () => {
    const escaped = `${pem('BEGIN', 'RSA PRIVATE KEY')}\\n${token(64)}\\n${token(30)}\\n${pem('END', 'RSA PRIVATE KEY')}`;
    expect(redact(`{"key":"${escaped}"}`)).toEqual({ text: '{"key":"[REDACTED:secret]"}', hits: { secret: 1 } });
    const truncated = `${pem('BEGIN', 'PRIVATE KEY')}\n${token(64)}\n${token(64)}\n… (truncated)`;
    expect(redact(truncated)).toEqual({ text: '[REDACTED:secret]\n… (truncated)', hits: { secret: 1 } });
  });

  it('secrets run first, so their digits are not read as cards or phones', () => {
    const key = `sk-proj-4111111111111111-415-555-2671-${token(20)}`;
    expect(redact(`use ${key}`)).toEqual({ text: 'use [REDACTED:secret]', hits: { secret: 1 } });
    expect(redact(`aws_secret_access_key=4111111111111111${'1'.repeat(24)}`)).toEqual({
      text: 'aws_secret_access_key=[REDACTED:secret]',
      hits: { secret: 1 },
    });
  });

  it.each([
    ['kebab-case words after sk-', 'pip install sk-learn-compatible-transformers'],
    ['a word ending in sk-', 'the task-management-system-overview-2024 page'],
    ['hf_ identifiers', 'from huggingface_hub import hf_hub_download'],
    ['a short ttk_ value', `ttk_${token(60)}`],
    ['a ttk_ value too long', `ttk_${token(62)}`],
    ['gh prefix without token', 'ghp_ is the prefix of a GitHub PAT'],
    ['eyJ without segments', 'eyJhbGciOiJIUzI1NiJ9 alone'],
    ['PEM public key', `-----BEGIN PUBLIC KEY-----\n${token(64)}\n-----END PUBLIC KEY-----`],
    ['AKIA inside a word', `XAKIA${token(16).toUpperCase()}`],
  ])('leaves %s alone', (_label, text) => {
    expect(redact(text)).toEqual({ text, hits: {} });
  });
});

describe('look-alikes are left alone', () => {
  it.each([
    ['ISO date', '2026-11-29'],
    ['European date', '29/11/2026'],
    ['US date with dots', '11.29.2026'],
    ['date with leading zero', '09.11.2026'],
    ['date and time with dots', '05.11.2026 14.30'],
    ['time', '12:30:45'],
    ['ISO timestamp', '2026-11-29T12:30:45.123Z'],
    ['version', '1.2.3'],
    ['Windows build', 'v10.0.19045'],
    ['semver with zero', '0.12.345'],
    ['UUID', '550e8400-e29b-41d4-a716-446655440000'],
    ['UUID with digit-only groups', '12345678-1234-1234-1234-123456789012'],
    ['IPv4', '192.168.100.200'],
    ['IPv4 short', '10.0.0.1'],
    ['IPv4 zero-padded', '010.020.030.040'],
    ['IPv6', '2001:0db8:85a3:0000:0000:8a2e:0370:7334'],
    ['IPv6 compressed', 'fe80::1ff:fe23:4567:890a'],
    ['ISBN-13', '978-3-16-148410-0'],
    ['ISBN-10', 'ISBN 0-306-40615-2'],
    ['ISBN-13 without dashes', '9783161484100'],
    ['order number', 'ORD-2024-000123'],
    ['hash order number', '#123456789'],
    ['price', '$1,234.56'],
    ['European price', '1 234,56 €'],
    ['Luhn-invalid 16 digits, spaces', '4111 1111 1111 1112'],
    ['Luhn-invalid 16 digits', '4111111111111112'],
    ['Luhn-invalid 16 digits, dashes', '4000-0566-5566-5557'],
    ['Luhn-invalid card with a 0 group', '4000 0566 5566 5557'],
    ['unix timestamp', '1732800000'],
    ['ms timestamp (Luhn-valid)', '1732800000009'],
    ['short numbers', '42 and 1234 and 12345'],
    ['decimal', '3.14159265358979'],
    ['hex', '0x4111111111111111'],
    ['git sha', 'a94a8fe5ccb19ba61c4c0873d391e987982fbbd3'],
    ['percentages and ranges', '10-20% of 2020-2024'],
    ['plus a number', '+5 points, +1.5%'],
  ])('%s: %s', (_label, value) => {
    const text = `ref ${value} ok`;
    expect(redact(text)).toEqual({ text, hits: {} });
  });
});

describe('mixed text', () => {
  it('redacts several kinds in one message', () => {
    const text = [
      `Hi, I'm Ann (ann.lee+support@example.co.uk, +44 20 7946 0958).`,
      `My card 4111 1111 1111 1111 was charged $1,234.56 on 2026-11-29 at 12:30:45 for order ORD-2024-000123.`,
      `Call me on (415) 555-2671 or 020 7946 0958. Build v10.0.19045, host 192.168.100.200.`,
      `Here is my key sk-${token(48)} and a JWT ${jwt}.`,
    ].join('\n');
    expect(redact(text)).toEqual({
      text: [
        `Hi, I'm Ann ([REDACTED:email], [REDACTED:phone]).`,
        `My card [REDACTED:card] was charged $1,234.56 on 2026-11-29 at 12:30:45 for order ORD-2024-000123.`,
        `Call me on [REDACTED:phone] or [REDACTED:phone]. Build v10.0.19045, host 192.168.100.200.`,
        `Here is my key [REDACTED:secret] and a JWT [REDACTED:secret].`,
      ].join('\n'),
      hits: { secret: 2, email: 1, card: 1, phone: 3 },
    });
  });

  it('is idempotent: redacted text has nothing left to redact', () => {
    const once = redact(`a@b.io +1 415 555 2671 4111111111111111 ghp_${token(36)}`);
    expect(once.hits).toEqual({ secret: 1, email: 1, card: 1, phone: 1 });
    expect(redact(once.text)).toEqual({ text: once.text, hits: {} });
  });

  it('returns the same string and 0 hits when nothing matches', () => {
    for (const rule of piiRedactors) expect(rule.redact('nothing here', ctx)).toEqual({ text: 'nothing here', hits: 0 });
  });
});

describe('linear time on adversarial input', () => {
  const N = 100_000;
  const fill = (unit: string) => unit.repeat(Math.ceil(N / unit.length)).slice(0, N);
  const inputs: Record<string, string> = {
    letters: fill('a'),
    digits: fill('1'),
    'digit groups': fill('1 '),
    'dashed groups': fill('12-'),
    'dotted groups': fill('123.'),
    'zero groups': fill('01 '),
    'plus groups': fill('+1 '),
    brackets: fill('(0)'),
    'card groups': fill('4111 '),
    'at signs': fill('a@'),
    'long local part': `${fill('abc.def_ghi+')}@`,
    'dotted domain': `x@${fill('a.')}`,
    'dashed domain': `x@${fill('a-')}`,
    quotes: fill('"a"@'),
    'BEGIN markers': fill(pem('BEGIN', 'RSA PRIVATE KEY')),
    'eyJ runs': fill('eyJ'),
    'sk- runs': fill('sk-'),
    'aws names': fill('aws_secret_access_key='),
    base64: fill('QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVo0123+/'),
    uuids: fill('550e8400-e29b-41d4-a716-446655440000 '),
    'IBAN-like groups': fill('DE89 3704 '),
    'upper-case runs': fill('GB82WEST'),
    'hex and colons': fill('ab:'),
    'double colons': fill('1::'),
    'dotted octets': fill('1.2.'),
    'SSN-like groups': fill('123-45-'),
    'bare digit runs with words': fill('order 4155552671 '),
  };
  // Every rule over every input, each also as a two-byte string (one non-Latin-1 character):
  // V8 runs different (slower) code for `\p{…}` classes on two-byte strings.
  it.each(Object.entries(inputs))('%s (100 KB)', (_label, input) => {
    for (const text of [input, `☃${input}`]) {
      for (const rule of piiRedactorsFor(ALL_PII_RULES)) {
        const t0 = performance.now();
        rule.redact(text, ctx);
        const ms = performance.now() - t0;
        // Measured ≤ 50 ms; a quadratic pattern takes seconds here.
        expect(ms, `${rule.name} took ${ms.toFixed(1)} ms`).toBeLessThan(500);
      }
    }
  });
});

describe('card networks and lengths 12–19 (IIN ranges)', () => {
  it('accepts Luhn-valid numbers in a network range of their length', () => {
    for (const digits of ['501846652532', '6250601281602473310', '8171053292259350', '181014888581701', '2200906940880125', '9792189282488695']) {
      expect(isCardNumber(digits), digits).toBe(true);
    }
  });

  it('refuses a Luhn-valid number outside every range or of a length the network does not issue', () => {
    // IMEI (15 digits, Luhn by design), 13-digit ms timestamp, Amex prefix at 16 digits.
    for (const digits of ['490154203237518', '1732800000009', '3782822463100052']) expect(luhnValid(digits) && isCardNumber(digits), digits).toBe(false);
  });
});

describe('phone shapes added with the eval corpus', () => {
  it('bare national and mobile runs, slashes, brackets, trunk 8, long international groups', () => {
    for (const phone of ['4155552671', '14155552671', '07700900123', '13812345678', '89123456789', '212/555-0100', '089 / 12345678', '(11) 98765-4321', '8 (495) 123-45-67', '+49 30 123456789', '+44 2079460958', '138 1234 5678']) {
      expect(phoneRedactor.redact(`call ${phone} now`, ctx).text, phone).toBe('call [REDACTED:phone] now');
    }
  });

  it('a bare run after an id word is an identifier, unless a phone word is near', () => {
    for (const text of ['Order 4412345678', 'Account number 4155552671', 'invoice_id=9876543210', 'if (n > 2147483647)', 'Logged at 1732887654']) {
      expect(phoneRedactor.redact(text, ctx).hits, text).toBe(0);
    }
    expect(phoneRedactor.redact('order issue? call me on 4155552671', ctx).hits).toBe(1);
  });
});
