import { builder } from '../builder';

export const RoleEnum = builder.enumType('Role', {
  values: ['OWNER', 'ADMIN', 'VIEWER'] as const,
  description: 'A member’s role in one project. VIEWER is read-only.',
});

export const SpanKindEnum = builder.enumType('SpanKind', {
  values: ['SPAN', 'GENERATION', 'EVENT', 'TOOL', 'RETRIEVAL', 'AGENT', 'EMBEDDING'] as const,
  description: 'What a span is. EMBEDDING: a call to an embedding model (OTel `embeddings`, OpenInference EMBEDDING).',
});

export const SpanStatusEnum = builder.enumType('SpanStatus', { values: ['OK', 'ERROR'] as const });

export const ContentVisibilityEnum = builder.enumType('ContentVisibility', {
  values: ['MEMBERS', 'ADMINS_ONLY'] as const,
  description:
    'Who may read content — span input, output, statusMessage and metadata, and trace metadata: every member, or ADMIN and OWNER only.',
});

export const ContentStatusEnum = builder.enumType('ContentStatus', {
  values: {
    AVAILABLE: { description: 'The caller may read the content; input and output hold it (null when none was recorded).' },
    HIDDEN: { description: 'The project shows content to admins only and the caller is not one.' },
    REMOVED_BY_RETENTION: { description: 'The project’s retention dropped input, output and statusMessage; tokens, cost and timings stay.' },
  } as const,
});

export const PiiRuleEnum = builder.enumType('PiiRule', {
  description: 'A built-in PII redaction rule. EMAIL, PHONE, CARD and SECRET run by default; IBAN, IP and SSN on request.',
  values: {
    SECRET: { value: 'secret', description: 'API keys, tokens, private keys' },
    EMAIL: { value: 'email', description: 'E-mail addresses' },
    IBAN: { value: 'iban', description: 'IBANs with a valid mod-97 check (opt-in)' },
    CARD: { value: 'card', description: 'Payment card numbers: Luhn-valid, in a network’s IIN range, 12–19 digits' },
    SSN: { value: 'ssn', description: 'US social security numbers in issuable ranges (opt-in)' },
    IP: { value: 'ip', description: 'IPv4 and IPv6 addresses (opt-in)' },
    PHONE: { value: 'phone', description: 'Phone numbers' },
  } as const,
});
