import { describe, expect, it } from 'vitest';
import { auditEntryHash, canonicalJson, normaliseDetails, type ChainedContent } from './audit-chain';

// The hash must depend on every stored fact and on nothing the database may shuffle (jsonb
// key order), or verification would either miss tampering or cry wolf.

const content: ChainedContent = {
  projectId: '0b0a4c2e-5f59-4a43-9a4b-3f1f5b7d2a10',
  at: new Date('2026-11-29T10:11:12.345Z'),
  action: 'project.settings_change',
  actor: { type: 'user', id: 'u1', label: 'ann@example.com' },
  targetType: 'project',
  targetId: '0b0a4c2e-5f59-4a43-9a4b-3f1f5b7d2a10',
  ip: '203.0.113.9',
  userAgent: 'ua',
  details: { before: { piiRedaction: false }, after: { piiRedaction: true } },
};

describe('canonicalJson', () => {
  it('sorts keys at every depth and keeps array order', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { z: 1, y: 2 }], c: null } })).toBe('{"a":{"c":null,"d":[3,{"y":2,"z":1}]},"b":1}');
  });

  it('drops undefined like JSON does', () => {
    expect(canonicalJson({ a: undefined, b: [undefined] })).toBe('{"b":[null]}');
  });
});

describe('auditEntryHash', () => {
  const base = auditEntryHash(content, 'prev');

  it('is a stable SHA-256 whatever the key order of the details', () => {
    const reordered = { ...content, details: { after: { piiRedaction: true }, before: { piiRedaction: false } } };
    expect(base).toMatch(/^[0-9a-f]{64}$/);
    expect(auditEntryHash(reordered, 'prev')).toBe(base);
  });

  it.each<[string, Partial<ChainedContent>]>([
    ['project', { projectId: null }],
    ['time (one millisecond)', { at: new Date('2026-11-29T10:11:12.346Z') }],
    ['action', { action: 'project.delete' }],
    ['actor', { actor: { type: 'user', id: 'u2', label: 'ann@example.com' } }],
    ['actor label', { actor: { type: 'user', id: 'u1', label: 'bob@example.com' } }],
    ['target', { targetId: 'other' }],
    ['IP', { ip: '198.51.100.1' }],
    ['user agent', { userAgent: null }],
    ['details', { details: { before: { piiRedaction: true }, after: { piiRedaction: true } } }],
  ])('changes with the %s', (_what, change) => {
    expect(auditEntryHash({ ...content, ...change }, 'prev')).not.toBe(base);
  });

  it('changes with the previous hash, and tells the first entry (null) from an empty string', () => {
    expect(auditEntryHash(content, 'other')).not.toBe(base);
    expect(auditEntryHash(content, null)).not.toBe(auditEntryHash(content, ''));
  });
});

describe('normaliseDetails', () => {
  it('turns details into what jsonb gives back', () => {
    expect(normaliseDetails({ at: new Date('2026-01-01T00:00:00.000Z'), gone: undefined, n: 1 })).toEqual({ at: '2026-01-01T00:00:00.000Z', n: 1 });
    expect(normaliseDetails(undefined)).toBeNull();
  });
});
