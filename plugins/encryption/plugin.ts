import { definePlugin, type PluginSetupContext } from '../core/plugin';
import { createAesGcmCodec } from './aes-gcm-codec';
import { generateKey, newLocalKeyRingText, parseKeyRing, type KeyRing } from './key-ring';

/** The embedded default's key ring, `<dataDir>/encryption-keys` (same `kid:base64key,…` format). */
export const KEY_FILE_NAME = 'encryption-keys';

const createdWarning = (path: string) =>
  `Created a new encryption key in ${path}. Span content is encrypted with it and cannot be ` +
  `read without it: back this file up, keep it private, and keep it with the data. In ` +
  `production, set TOKENTRACE_ENCRYPTION_KEYS (from a secret store) instead of relying on this file.`;

export interface UseEncryptionOptions {
  /**
   * The key ring `kid:base64key,…` (the first encrypts, all decrypt).
   * @default the server's TOKENTRACE_ENCRYPTION_KEYS; without it, a key generated into the data
   * folder (refused in production)
   */
  keys?: string;
}

function keyRingFor(options: UseEncryptionOptions, ctx: PluginSetupContext): KeyRing {
  const text = options.keys ?? ctx.encryptionKeys;
  if (text) return parseKeyRing(text);
  if (ctx.env === 'production') {
    throw new Error('TOKENTRACE_ENCRYPTION_KEYS must be set in production: a generated local key is for development only');
  }
  // An in-memory database (tests) gets an in-memory key: nothing outlives the process.
  if (ctx.dataDir === 'memory://') return parseKeyRing(`ephemeral:${generateKey()}`);
  // Without TOKENTRACE_ENCRYPTION_KEYS: a key kept in the data folder, created on first start.
  const file = ctx.localSecretFile(KEY_FILE_NAME, newLocalKeyRingText, createdWarning);
  return parseKeyRing(file.text, file.path);
}

/** The built-in encryption plugin: span content sealed with AES-256-GCM (see plugins/encryption). */
export function useEncryption(options: UseEncryptionOptions = {}) {
  // A named factory: the loader names it in errors before the plugin object exists.
  return definePlugin(function encryption(ctx: PluginSetupContext) {
    return { name: 'encryption', codec: createAesGcmCodec(keyRingFor(options, ctx)) };
  });
}
