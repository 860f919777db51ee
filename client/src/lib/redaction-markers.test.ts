import { describe, expect, it } from 'vitest';
import { hasRedactionMarker, splitRedactionMarkers } from './redaction-markers';

describe('splitRedactionMarkers', () => {
  it('splits text around markers and names the rule', () => {
    expect(splitRedactionMarkers('mail [REDACTED:email] or call [REDACTED:phone].')).toEqual([
      { kind: 'text', text: 'mail ' },
      { kind: 'redacted', text: '[REDACTED:email]', rule: 'email' },
      { kind: 'text', text: ' or call ' },
      { kind: 'redacted', text: '[REDACTED:phone]', rule: 'phone' },
      { kind: 'text', text: '.' },
    ]);
  });

  it('handles text that is only a marker, adjacent markers, and none', () => {
    expect(splitRedactionMarkers('[REDACTED:card]')).toEqual([{ kind: 'redacted', text: '[REDACTED:card]', rule: 'card' }]);
    expect(splitRedactionMarkers('[REDACTED:a][REDACTED:customer-id]').map((p) => p.kind)).toEqual(['redacted', 'redacted']);
    expect(splitRedactionMarkers('plain')).toEqual([{ kind: 'text', text: 'plain' }]);
    expect(splitRedactionMarkers('')).toEqual([]);
  });

  it('does not take look-alikes for markers', () => {
    expect(splitRedactionMarkers('[REDACTED:]')).toEqual([{ kind: 'text', text: '[REDACTED:]' }]);
    expect(hasRedactionMarker('[redacted:email]')).toBe(false);
    expect(hasRedactionMarker('x [REDACTED:email] y')).toBe(true);
  });
});
