// The encryption built-in, as the server and a config file see it.
export { useEncryption, type UseEncryptionOptions } from './plugin';
export { formatKeyRing, generateKey, parseKeyRing, type KeyRing } from './key-ring';
