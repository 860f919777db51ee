import { definePlugin, type PluginSetupContext } from '../core/plugin';
import { createAesGcmCodec } from './aes-gcm-codec';
import { loadOrCreateLocalKeyRing } from './key-file';
import { generateKey, parseKeyRing, type KeyRing } from './key-ring';

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
  return loadOrCreateLocalKeyRing(ctx.dataDir, ctx.warn);
}

/** The built-in encryption plugin: span content sealed with AES-256-GCM (see plugins/encryption). */
export function useEncryption(options: UseEncryptionOptions = {}) {
  // A named factory: the loader names it in errors before the plugin object exists.
  return definePlugin(function encryption(ctx: PluginSetupContext) {
    return { name: 'encryption', codec: createAesGcmCodec(keyRingFor(options, ctx)) };
  });
}
