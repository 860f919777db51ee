import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';

// Builds the SDK, packs it as npm would publish it, and installs the tarball into an empty
// app folder (offline: the package has no dependencies to fetch). Asynchronous on purpose:
// the test's server runs in the same process and must keep answering meanwhile.

export const run = promisify(execFile);
export const ROOT = resolve(import.meta.dirname, '../../..');

export interface PackedApp {
  dir: string;
  tarball: string;
}

export async function installPackedSdk(): Promise<PackedApp> {
  await run('npm', ['run', 'build:sdk'], { cwd: ROOT });
  const work = await mkdtemp(join(tmpdir(), 'tokentrace-sdk-'));
  const { stdout } = await run('npm', ['pack', '--pack-destination', work, '--silent'], { cwd: join(ROOT, 'sdk') });
  const tarball = join(work, stdout.trim().split('\n').pop()!);
  const dir = join(work, 'app');
  await mkdir(dir);
  await writeFile(join(dir, 'package.json'), JSON.stringify({ name: 'sdk-consumer', private: true, type: 'module' }));
  await run('npm', ['install', '--offline', '--no-audit', '--no-fund', tarball], { cwd: dir });
  return { dir, tarball };
}

/** Runs a plain-node script in the app folder; resolves with its output once it exits. */
export async function runNode(dir: string, file: string, env: Record<string, string>, timeoutMs = 30_000): Promise<{ stdout: string; stderr: string; ms: number }> {
  const started = Date.now();
  const { stdout, stderr } = await run(process.execPath, [file], { cwd: dir, env: { PATH: process.env.PATH ?? '', ...env }, timeout: timeoutMs });
  return { stdout, stderr, ms: Date.now() - started };
}
