import {
  appendFileSync,
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
import { appendFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { AppendOnlyFile, LocalSecretFile, PluginSetupContext } from '../../plugins/core/index';

// The files a plugin may touch, provided by the server through the setup context: plugins
// import node:crypto only (docs/architecture.md), so whatever needs the file system is here.
//
// Local secret files (the embedded default's `<dataDir>/encryption-keys`, the audit key's
// `<dataDir>/audit-keys`) are made durable before they are used: a key lost after a crash would
// leave every value sealed with it unreadable. Each is created under a temporary name and
// hard-linked into place, so two processes starting together agree on one key and nobody reads
// a half-written file. An existing file is never replaced, whatever its content.

type FileHelpers = Pick<PluginSetupContext, 'localSecretFile' | 'appendOnlyFile'>;

/** The helpers of the setup context, over the data folder `dataDir`. */
export function pluginFiles(dataDir: string, warn: (message: string) => void): FileHelpers {
  return {
    localSecretFile: (name, create, createdWarning) => readOrCreateLocalSecret(dataDir, name, create, createdWarning, warn),
    appendOnlyFile,
  };
}

/** `<dataDir>/<name>`, created from `create()` on first use (warning `createdWarning(path)` then). */
export function readOrCreateLocalSecret(
  dataDir: string,
  name: string,
  create: () => string,
  createdWarning: (path: string) => string,
  warn: (message: string) => void,
): LocalSecretFile {
  const path = join(dataDir, name);
  const existing = readIfExists(path);
  if (existing !== undefined) {
    checkPermissions(path, warn);
    return { path, text: existing };
  }

  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const text = create();
  if (!createExclusive(dataDir, path, text, name)) {
    // Another process created it first: use its content.
    return { path, text: readFileSync(path, 'utf8') };
  }
  warn(createdWarning(path));
  return { path, text };
}

/**
 * Appends to a file, opened by path for every line so that log rotation (rename, then a new
 * file) needs no signal. Created with mode 0600 (audit entries name people and addresses), at
 * once, so a wrong path stops the start instead of losing lines later.
 */
export function appendOnlyFile(file: string): AppendOnlyFile {
  const path = resolve(file);
  appendFileSync(path, '', { mode: 0o600 });
  return { path, append: (text) => appendFile(path, text, { mode: 0o600 }) };
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
