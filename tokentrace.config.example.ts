// An example server config. Copy it to `tokentrace.config.ts` (or point TOKENTRACE_CONFIG at
// your copy) and edit. Without a config file the server runs the built-ins with their defaults;
// with one, exactly the plugins listed here run, in this order — leaving a built-in out turns
// it off. A bad entry stops the start with a message naming the plugin. See docs/plugins.md.
import { useAudit } from './plugins/audit/index';
import { defineConfig } from './plugins/core/index';
import { useEncryption } from './plugins/encryption/index';
import { customerIds } from './plugins/examples/customer-ids/index';
import { useRedaction } from './plugins/redaction/index';

export default defineConfig({
  plugins: [
    // PII rules (e-mail, phone, card, secret) for projects with `piiRedaction` on. Per-project
    // custom patterns are project settings and always run after every plugin's redactors.
    useRedaction(),

    // AES-256-GCM for span content at rest. Keys from TOKENTRACE_ENCRYPTION_KEYS
    // (`kid:base64key,…`, the first encrypts); without it, a key generated into the data folder
    // (refused with NODE_ENV=production). Only one plugin may set the codec.
    useEncryption(),

    // Audit log export. Every key, member and settings change is recorded in the database with
    // or without this plugin; it adds sinks for a SIEM: `{ sink: 'stdout' }` or
    // `{ sink: { file: '/var/log/tokentrace/audit.jsonl' } }`.
    useAudit(),

    // A third-party plugin: internal customer ids and project code names, on every project.
    customerIds({ codeNames: ['Bluebird', 'Project X'] }),
  ],
});
