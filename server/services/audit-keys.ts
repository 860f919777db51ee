import { generateKey, newLocalKeyRingText, parseKeyRing, type KeyRing } from '../../plugins/encryption/index';
import { ConfigError, type Config } from '../config';
import { readOrCreateLocalSecret } from '../plugins/plugin-files';

// The server key that signs the audit hash chain (HMAC-SHA256, server/services/audit-chain.ts).
// It is what a database superuser does not have: whoever can write audit_log can recompute a
// plain hash chain after rewriting it, but cannot sign one. So the key lives apart from the
// data, in TOKENTRACE_AUDIT_KEYS (`kid:base64key[,kid:base64key…]`, 32-byte keys, the format
// of TOKENTRACE_ENCRYPTION_KEYS): the first key signs new entries, every key verifies, so a key
// is rotated by putting a new one in front and keeping the old ones.
//
// Without the variable, development and tests use `<dataDir>/audit-keys`, made on first start
// (kept with the data, so it only shows accidents, not a superuser's edits); production refuses
// to start.

export const AUDIT_KEYS_VARIABLE = 'TOKENTRACE_AUDIT_KEYS';

const AUDIT_KEY_FILE_NAME = 'audit-keys';
const createdWarning = (path: string) =>
  `Created a new audit signing key in ${path}. It sits with the data, so whoever can change the ` +
  `database can also re-sign the audit log: in production set ${AUDIT_KEYS_VARIABLE} from a secret store.`;

/** The ring that signs and verifies audit entries, as configured (see above). */
export function loadAuditKeyRing(config: Config, warn: (message: string) => void): KeyRing {
  if (config.auditKeys) return parseKeyRing(config.auditKeys, AUDIT_KEYS_VARIABLE);
  if (config.env === 'production') {
    throw new ConfigError(
      `Invalid configuration:\n  ${AUDIT_KEYS_VARIABLE} must be set in production: the key that signs the audit log must not ` +
        `live with the data (e.g. ${AUDIT_KEYS_VARIABLE}=a1:$(openssl rand -base64 32))`,
    );
  }
  if (config.dataDir.startsWith('memory://')) return parseKeyRing(`memory:${generateKey()}`, 'a throwaway audit key');
  const file = readOrCreateLocalSecret(config.dataDir, AUDIT_KEY_FILE_NAME, newLocalKeyRingText, createdWarning, warn);
  return parseKeyRing(file.text, file.path);
}
