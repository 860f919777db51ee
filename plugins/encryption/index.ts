// The encryption built-in, as the server and a config file see it.
export { KEY_FILE_NAME, useEncryption, type UseEncryptionOptions } from './plugin';
// The key-ring format (`kid:base64key,…`) is shared with the server's audit signing key.
export { formatKeyRing, generateKey, keyRingEntries, KeyRingError, newLocalKeyRingText, parseKeyRing, type KeyRing } from './key-ring';
