import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPluginTestkit } from '../../../plugins/core/index';
import { useRedaction } from '../../../plugins/redaction/index';
import { createTestApp, INGEST, span, type TestApp } from '../../testing/test-app';

// The piiRules project setting (opt-in IBAN, IP, SSN), and one engine: what the testkit says a
// span becomes is what ingest stores, statusMessage and trace metadata included.

const SETTINGS = `mutation($p: ID!, $input: ProjectSettingsInput!) {
  updateProjectSettings(projectId: $p, input: $input) { settings { piiRedaction piiRules } }
}`;
const TRACE = `query($p: ID!, $id: ID!) {
  project(id: $p) { trace(id: $id) { metadata spans { id input output metadata statusMessage redactions { rule count } } } }
}`;
const AUDIT = `query($p: ID!) { project(id: $p) { auditLog(filter: { action: "project.settings_change" }) { edges { node { details } } } } }`;

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t.close());

describe('piiRules', () => {
  it('defaults to EMAIL, PHONE, CARD, SECRET; an admin chooses others, audited; bad lists are BAD_USER_INPUT', async () => {
    const { owner, projectId } = await t.projectWithKey();
    const read = await owner.gql(`query($p: ID!) { project(id: $p) { settings { piiRules } } }`, { p: projectId });
    expect(read.data.project.settings.piiRules).toEqual(['SECRET', 'EMAIL', 'CARD', 'PHONE']);

    const set = await owner.gql(SETTINGS, { p: projectId, input: { piiRedaction: true, piiRules: ['IBAN', 'EMAIL', 'IBAN'] } });
    expect(set.errors).toBeUndefined();
    expect(set.data.updateProjectSettings.settings).toEqual({ piiRedaction: true, piiRules: ['EMAIL', 'IBAN'] });
    const audit = await owner.gql(AUDIT, { p: projectId });
    expect(audit.data.project.auditLog.edges[0].node.details).toMatchObject({
      before: { piiRules: ['secret', 'email', 'card', 'phone'] },
      after: { piiRules: ['email', 'iban'] },
    });

    const empty = await owner.gql(SETTINGS, { p: projectId, input: { piiRules: [] } });
    expect(empty.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    const unknown = await owner.gql(SETTINGS, { p: projectId, input: { piiRules: ['PASSPORT'] } });
    expect(unknown.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('runs only the chosen rules at ingest', async () => {
    const { owner, projectId, ingest } = await t.projectWithKey();
    await owner.gql(SETTINGS, { p: projectId, input: { piiRedaction: true, piiRules: ['IBAN', 'IP', 'SSN'] } });
    const s = span({ traceId: 'trace-optin', input: 'IBAN DE89 3704 0044 0532 0130 00 from 192.0.2.1, SSN 078-05-1120, mail ann@example.com' });
    expect((await ingest.gql(INGEST, { spans: [s] })).data.ingest.accepted).toBe(1);
    const stored = (await owner.gql(TRACE, { p: projectId, id: 'trace-optin' })).data.project.trace.spans[0];
    expect(stored.input).toBe('IBAN [REDACTED:iban] from [REDACTED:ip], SSN [REDACTED:ssn], mail ann@example.com');
    expect(stored.redactions).toEqual([
      { rule: 'iban', count: 1 },
      { rule: 'ssn', count: 1 },
      { rule: 'ip', count: 1 },
    ]);
  });

  it('ingest stores exactly what the testkit returns for the same span and rules', async () => {
    const rules = ['secret', 'email', 'card', 'phone', 'iban', 'ip', 'ssn'];
    const kit = await createPluginTestkit(useRedaction(), { piiRedaction: true, piiRules: rules });
    const content = {
      input: { messages: [{ role: 'user', content: 'I am ann@example.com, card 4111 1111 1111 1111, call +44 20 7946 0958' }], pan: 4111111111111111 },
      output: ['SSN 078-05-1120', { ip: '2001:db8::1', n: 12, ok: true, none: null }],
      metadata: { iban: 'GB82 WEST 1234 5698 7654 32', order: 'Order 4412345678' },
      statusMessage: 'no account for bob@example.org',
    };
    const expected = kit.redactSpan({ ...content, trace: { metadata: { owner: 'carol@example.net' } } });

    const { owner, projectId, ingest } = await t.projectWithKey();
    await owner.gql(SETTINGS, { p: projectId, input: { piiRedaction: true, piiRules: rules.map((r) => r.toUpperCase()) } });
    const s = span({ traceId: 'trace-same', status: 'ERROR', ...content, trace: { metadata: { owner: 'carol@example.net' } } });
    expect((await ingest.gql(INGEST, { spans: [s] })).data.ingest.accepted).toBe(1);
    const trace = (await owner.gql(TRACE, { p: projectId, id: 'trace-same' })).data.project.trace;
    const stored = trace.spans[0];
    expect({ input: stored.input, output: stored.output, metadata: stored.metadata, statusMessage: stored.statusMessage }).toEqual({
      input: expected.span.input,
      output: expected.span.output,
      metadata: expected.span.metadata,
      statusMessage: expected.span.statusMessage,
    });
    expect(trace.metadata).toEqual(expected.span.trace?.metadata);
    expect(stored.redactions).toEqual(expected.redactions);
    expect(JSON.stringify(stored)).not.toMatch(/ann@|4111|7946|078-05|2001:db8|GB82|bob@/);
  });
});
