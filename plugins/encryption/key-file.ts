import {
  closeSync,
  fsyncSync,
  linkSync,
  mkdirSync,
  openSync,
  readFileSync,
  statSync,
  unlinkSync,
  fchmodSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { formatKeyRing, generateKey, parseKeyRing, type KeyRing } from './key-ring';

// The embedded default: without TOKENTRACE_ENCRYPTION_KEYS, content is sealed with a key kept
// in `<dataDir>/encryption-keys` (same `kid:base64key,…` format), created on first start.
//
// The file is made durable before it is used: a key lost after a crash would leave every value
// sealed with it unreadable. It is created under a temporary name and hard-linked into place,
// so two processes starting together agree on one key and nobody reads a half-written file.
// An existing file is never replaced, whatever its content.

export const KEY_FILE_NAME = 'encryption-keys';

/** A key file of the data folder: its name, and what to warn when it is first made. */
export interface LocalKeyFile {
  name: string;
  createdWarning(path: string): string;
}

const ENCRYPTION_KEY_FILE: LocalKeyFile = {
  name: KEY_FILE_NAME,
  createdWarning: (path) =>
    `Created a new encryption key in ${path}. Span content is encrypted with it and cannot be ` +
    `read without it: back this file up, keep it private, and keep it with the data. In ` +
    `production, set TOKENTRACE_ENCRYPTION_KEYS (from a secret store) instead of relying on this file.`,
};

/** The ring in `<dataDir>/<file.name>`, created with one fresh key on first use (the same mechanism serves the audit key). */
export function loadOrCreateLocalKeyRing(dataDir: string, warn: (msg: string) => void, file: LocalKeyFile = ENCRYPTION_KEY_FILE): KeyRing {
  const path = join(dataDir, file.name);
  const existing = readIfExists(path);
  if (existing !== undefined) {
    checkPermissions(path, warn);
    return parseKeyRing(existing, path);
  }

  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const text = `${formatKeyRing([{ id: defaultKeyId(), key: generateKey() }])}\n`;
  if (!createExclusive(dataDir, path, text, file.name)) {
    // Another process created it first: use its key.
    return parseKeyRing(readFileSync(path, 'utf8'), path);
  }
  warn(file.createdWarning(path));
  return parseKeyRing(text, path);
}

function readIfExists(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

function checkPermissions(path: string, warn: (msg: string) => void): void {
  if (process.platform === 'win32') return;
  const mode = statSync(path).mode & 0o777;
  if (mode & 0o077) {
    warn(`${path} is readable by other users (mode ${mode.toString(8).padStart(4, '0')}): run chmod 600 on it.`);
  }
}

/** Writes `text` to a fresh file and links it to `path`; false if `path` already exists. */
function createExclusive(dir: string, path: string, text: string, name: string): boolean {
  const temp = join(dir, `.${name}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    writeDurably(temp, text);
    linkSync(temp, path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return false;
    // Filesystems without hard links: exclusive create in place (a concurrent reader could
    // then see a partly written file and fail to parse it, but never a different key).
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP' && code !== 'ENOSYS') throw err;
    try {
      writeDurably(path, text);
    } catch (inner) {
      if ((inner as NodeJS.ErrnoException).code === 'EEXIST') return false;
      throw inner;
    }
  } finally {
    try {
      unlinkSync(temp);
    } catch {
      // Never created (the write failed before open) or already gone.
    }
  }
  syncDirectory(dir);
  return true;
}

function writeDurably(path: string, text: string): void {
  const fd = openSync(path, 'wx', 0o600);
  try {
    fchmodSync(fd, 0o600); // exactly 0600, whatever the umask
    writeFileSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

function syncDirectory(dir: string): void {
  if (process.platform === 'win32') return;
  let fd: number | undefined;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch {
    // Not every filesystem lets a directory be synced; the file itself already is.
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** `local-YYYYMMDD`: says where the key came from and roughly when. */
function defaultKeyId(now: Date = new Date()): string {
  return `local-${now.toISOString().slice(0, 10).replaceAll('-', '')}`;
}
