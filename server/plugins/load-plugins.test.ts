import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPluginTestkit } from '../../plugins/core/testkit';
import { customerIds } from '../../plugins/examples/customer-ids/index';
import { createTestApp, INGEST, span, type TestApp } from '../testing/test-app';
import { PluginLoadError } from './load-plugins';

// The plugin list as an operator writes it: a tokentrace.config.ts in a temp folder, named by
// TOKENTRACE_CONFIG, importing the built-ins and the example third-party plugin. Loaded by the
// real server; a bad config stops createApp with a message naming the plugin or the file.

const ROOT = resolve(import.meta.dirname, '../..');
/** How a config outside the repository imports our modules: by absolute file URL. */
const mod = (path: string) => JSON.stringify(pathToFileURL(join(ROOT, path)).href);
const IMPORTS = `
import { defineConfig } from ${mod('plugins/core/index.ts')};
import { useRedaction } from ${mod('plugins/redaction/index.ts')};
import { useEncryption } from ${mod('plugins/encryption/plugin.ts')};
import { customerIds } from ${mod('plugins/examples/customer-ids/index.ts')};
`;

const TRACE = `query($p: ID!, $id: ID!) {
  project(id: $p) { trace(id: $id) { metadata spans { id input output metadata redactions { rule count } } } }
}`;

let dir: string;
let counter = 0;
/** Writes a config file (a fresh name each time: a module is imported once per path). */
function writeConfig(body: string): string {
  const file = join(dir, `tokentrace-${++counter}.config.ts`);
  writeFileSync(file, IMPORTS + body);
  return file;
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'tokentrace-config-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('a third-party plugin loaded from tokentrace.config.ts', () => {
  let t: TestApp;
  beforeAll(async () => {
    const file = writeConfig(`
export default defineConfig({
  plugins: [useRedaction(), useEncryption(), customerIds({ codeNames: ['Bluebird', 'Project X'] })],
});
`);
    t = await createTestApp({ TOKENTRACE_CONFIG: file });
  });
  afterAll(() => t.close());

  it('loads the built-ins and the example in config order', () => {
    expect(t.app.deps.plugins.names).toEqual(['redaction', 'encryption', 'customer-ids']);
    expect(t.app.deps.plugins.source).toMatch(/tokentrace-\d+\.config\.ts$/);
    expect(t.app.deps.codec.name).not.toBe('identity');
  });

  it("redacts the example's patterns at ingest and reports them in Span.redactions, as its testkit does", async () => {
    const { owner, projectId, ingest } = await t.projectWithKey();
    const s = span({
      traceId: 'trace-cust',
      input: { messages: [{ role: 'user', content: 'I am CUST-123456; is Bluebird live? Mail ann@example.com' }] },
      output: 'Project X ships for cust-0004711 next week.',
      metadata: { customer: 'CUST-999999' },
      trace: { metadata: { account: 'CUST-222222', codename: 'bluebird' } },
    });
    const res = await ingest.gql(INGEST, { spans: [s] });
    expect(res.data.ingest).toEqual({ accepted: 1, rejected: [] });

    const trace = (await owner.gql(TRACE, { p: projectId, id: 'trace-cust' })).data.project.trace;
    const [stored] = trace.spans;
    expect(stored.input.messages[0].content).toBe(
      // piiRedaction is off on a new project: the e-mail stays, the plugin's rules apply anyway.
      'I am [REDACTED:customer-id]; is [REDACTED:code-name] live? Mail ann@example.com',
    );
    expect(stored.output).toBe('[REDACTED:code-name] ships for [REDACTED:customer-id] next week.');
    expect(stored.metadata).toEqual({ customer: '[REDACTED:customer-id]' });
    expect(trace.metadata).toEqual({ account: '[REDACTED:customer-id]', codename: '[REDACTED:code-name]' });
    expect(stored.redactions).toEqual([
      { rule: 'customer-id', count: 4 },
      { rule: 'code-name', count: 3 },
    ]);

    // The testkit gives the plugin's author the same answer without a server.
    const kit = await createPluginTestkit(customerIds({ codeNames: ['Bluebird', 'Project X'] }));
    const offline = kit.redactSpan(s as Parameters<typeof kit.redactSpan>[0]);
    expect(offline.redactions).toEqual(stored.redactions);
    expect(offline.span.input).toEqual(stored.input);
    expect(offline.span.output).toEqual(stored.output);
  });
});

describe('the shipped tokentrace.config.example.ts', () => {
  let t: TestApp;
  // In a hook: opening and migrating a database is slow on a busy machine (hook timeout 60 s).
  beforeAll(async () => {
    t = await createTestApp({ TOKENTRACE_CONFIG: join(ROOT, 'tokentrace.config.example.ts') });
  });
  afterAll(() => t.close());

  it('loads as it is', () => {
    expect(t.app.deps.plugins.names).toEqual(['redaction', 'encryption', 'audit', 'customer-ids']);
  });
});

describe('a bad config stops the start with a message naming the plugin or the file', () => {
  const start = (file: string) => createTestApp({ TOKENTRACE_CONFIG: file });

  it.each([
    [
      'a plugin name that is not kebab-case',
      `export default defineConfig({ plugins: [useRedaction(), { name: 'My_Plugin', redactors: [] }] });`,
      /plugin "My_Plugin": name must be kebab-case/,
    ],
    [
      'a factory that throws',
      `export default defineConfig({ plugins: [useRedaction(), function licensed() { throw new Error('licence expired'); }] });`,
      /plugin "licensed" failed to load: licence expired/,
    ],
    [
      'two plugins that set a codec',
      `const codec = { name: 'plain', encode: (b: Uint8Array) => b, decode: (b: Uint8Array) => b };
export default defineConfig({ plugins: [useEncryption(), { name: 'plain-storage', codec }] });`,
      /plugins "encryption" and "plain-storage" both set a codec/,
    ],
    [
      'the same plugin twice',
      `export default defineConfig({ plugins: [customerIds(), customerIds()] });`,
      /plugin "customer-ids" is listed twice/,
    ],
    [
      'a redactor without a redact function',
      `export default defineConfig({ plugins: [{ name: 'half-done', redactors: [{ name: 'x' }] } as never] });`,
      /plugin "half-done": every redactor needs a name and a redact/,
    ],
    [
      'bad options to the example plugin',
      `export default defineConfig({ plugins: [customerIds({ codeNames: [''] })] });`,
      /tokentrace-\d+\.config\.ts could not be loaded: customer-ids: codeNames\[0\] must be a non-empty string/,
    ],
    ['a default export without plugins', `export default { redactors: [] };`, /tokentrace-\d+\.config\.ts must default-export defineConfig\(\{ plugins/],
    ['no default export', `export const config = defineConfig({ plugins: [] });`, /tokentrace-\d+\.config\.ts must default-export/],
  ])('%s', async (_label, body, message) => {
    const err = await start(writeConfig(body)).then(
      (t) => (t.close(), undefined),
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(PluginLoadError);
    expect((err as Error).message).toMatch(message);
  });

  it('a TOKENTRACE_CONFIG that names a missing file', async () => {
    const missing = join(dir, 'nope.config.ts');
    await expect(start(missing)).rejects.toThrow(PluginLoadError);
    await expect(start(missing)).rejects.toThrow(`TOKENTRACE_CONFIG: ${missing} does not exist`);
  });
});
