import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser } from 'playwright-core';

// What the browser tests share: a real server on a fresh embedded database, and Debian's
// Chromium launched the way this machine (and CI) can run it.

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

export const step = (text: string) => console.log(`e2e: ${text}`);

export class E2eFailure extends Error {}
export function check(condition: unknown, message: string): asserts condition {
  if (!condition) throw new E2eFailure(message);
}

export interface RunningServer {
  url: string;
  process: ChildProcess;
  dataDir: string;
  output: string[];
  stop(): Promise<void>;
}

export async function startServer(): Promise<RunningServer> {
  const dataDir = mkdtempSync(join(tmpdir(), 'tokentrace-e2e-'));
  const output: string[] = [];
  const child = spawn(join(ROOT, 'node_modules', '.bin', 'tsx'), ['server/cli.ts', 'start'], {
    cwd: ROOT,
    env: {
      ...process.env,
      NODE_ENV: 'test',
      PORT: '0',
      HOST: '127.0.0.1',
      TOKENTRACE_DATA_DIR: dataDir,
      LOG_LEVEL: 'warn',
      DATABASE_URL: '',
      TOKENTRACE_CONFIG: '',
      // Every case signs its users up from 127.0.0.1: the per-IP sign-up limit would stop the run.
      TOKENTRACE_SIGNUP_MAX_PER_IP: '100000',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new E2eFailure(`the server did not start within 90 s:\n${output.join('')}`)), 90_000);
    const onData = (chunk: Buffer) => {
      const text = chunk.toString();
      output.push(text);
      const match = /https?:\/\/[^\s:/]+:(\d+)/.exec(output.join(''));
      if (match && /running/.test(output.join(''))) {
        clearTimeout(timer);
        resolve(`http://127.0.0.1:${match[1]}`);
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (c: Buffer) => output.push(c.toString()));
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new E2eFailure(`the server exited with ${code}:\n${output.join('')}`));
    });
  });
  return {
    url,
    process: child,
    dataDir,
    output,
    async stop() {
      child.kill('SIGTERM');
      await new Promise((r) => setTimeout(r, 300));
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export async function launchChromium(extraArgs: string[] = []): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new E2eFailure(`Chromium not found at ${CHROMIUM}: install it with \`apt-get install -y chromium\` (or set CHROMIUM_PATH).`);
  }
  return chromium.launch({ executablePath: CHROMIUM, args: [...CHROMIUM_ARGS, ...extraArgs] });
}
