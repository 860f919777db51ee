import { describe, expect, it } from 'vitest';
import { ibanChecksumValid, ibanRedactor } from './iban';
import { ipRedactor, isIpv6 } from './ip';
import { isIssuableSsn, ssnRedactor } from './ssn';

const ctx = { projectId: 'p', spanId: 's', field: 'input' as const, piiRedaction: true };

describe('iban (opt-in)', () => {
  it('redacts IBANs with a valid mod-97 check, plain or grouped, and keeps what follows', () => {
    expect(ibanRedactor.redact('to DE89370400440532013000 please', ctx)).toEqual({ text: 'to [REDACTED:iban] please', hits: 1 });
    expect(ibanRedactor.redact('IBAN GB82 WEST 1234 5698 7654 32 BIC NWBKGB2L', ctx).text).toBe('IBAN [REDACTED:iban] BIC NWBKGB2L');
  });

  it('leaves a wrong check digit, a wrong length, an unknown country and glued text alone', () => {
    for (const text of ['DE00370400440532013000', 'GB82 WEST 1234 5698 7654', 'XX89370400440532013000', 'DE89370400440532013000X1']) {
      expect(ibanRedactor.redact(text, ctx).hits, text).toBe(0);
    }
    expect(ibanChecksumValid('GB82WEST12345698765432')).toBe(true);
    expect(ibanChecksumValid('GB83WEST12345698765432')).toBe(false);
  });
});

describe('ip (opt-in)', () => {
  it('redacts IPv4 and IPv6, keeping a port', () => {
    expect(ipRedactor.redact('from 192.0.2.1:8080 and [2001:db8::7]:443, ::ffff:192.0.2.128', ctx)).toEqual({
      text: 'from [REDACTED:ip]:8080 and [[REDACTED:ip]]:443, [REDACTED:ip]',
      hits: 3,
    });
  });

  it('leaves versions, OIDs, times, MAC addresses, code and out-of-range octets alone', () => {
    for (const text of ['version 1.2.3.4', 'v10.0.0.1', 'OID 1.3.6.1.4.1.311', '14:30:00', '00:1A:2B:3C:4D:5E', 'std::vector a::b', '256.1.1.1']) {
      expect(ipRedactor.redact(text, ctx).hits, text).toBe(0);
    }
    expect(isIpv6('2001:db8::1')).toBe(true);
    expect(isIpv6('1:2:3:4:5:6:7:8:9')).toBe(false);
    expect(isIpv6('1::2::3')).toBe(false);
  });
});

describe('ssn (opt-in)', () => {
  it('redacts issuable SSNs with dashes or spaces', () => {
    expect(ssnRedactor.redact('SSN 078-05-1120 or 219 09 9999', ctx)).toEqual({ text: 'SSN [REDACTED:ssn] or [REDACTED:ssn]', hits: 2 });
  });

  it('leaves the ranges the SSA never issues, mixed separators and longer numbers alone', () => {
    for (const text of ['000-12-3456', '666-12-3456', '900-12-3456', '123-00-4567', '123-45-0000', '123-45 6789', '1123-45-6789', '123-45-67890']) {
      expect(ssnRedactor.redact(text, ctx).hits, text).toBe(0);
    }
    expect(isIssuableSsn('899', '99', '9999')).toBe(true);
  });
});
