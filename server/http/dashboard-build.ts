import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Logger } from 'pino';

// `npm start` on a fresh clone must serve a working dashboard: when client/dist is missing or
// older than the client's sources, build it first with Vite (a dev dependency, so present in a
// clone). A deployment that ships a built client/dist, or has no Vite, starts without building.

const CLIENT_DIR = fileURLToPath(new URL('../../client', import.meta.url));

function newestMtime(path: string): number {
  if (!existsSync(path)) return 0;
  const info = statSync(path);
  if (!info.isDirectory()) return info.mtimeMs;
  let newest = 0;
  for (const entry of readdirSync(path)) {
    if (entry === 'generated' || entry === 'node_modules') continue;
    newest = Math.max(newest, newestMtime(join(path, entry)));
  }
  return newest;
}

/** Why the dashboard must be built, or null when client/dist is current. */
export function dashboardBuildReason(clientDir = CLIENT_DIR): string | null {
  const index = join(clientDir, 'dist', 'index.html');
  if (!existsSync(index)) return 'client/dist/index.html is missing';
  const built = statSync(index).mtimeMs;
  const sources = Math.max(
    newestMtime(join(clientDir, 'src')),
    newestMtime(join(clientDir, 'index.html')),
    newestMtime(join(clientDir, 'vite.config.ts')),
    newestMtime(join(clientDir, 'public')),
  );
  return sources > built ? 'client sources changed since the last build' : null;
}

export async function ensureDashboardBuilt(logger: Logger, clientDir = CLIENT_DIR): Promise<void> {
  const reason = dashboardBuildReason(clientDir);
  if (!reason) return;
  if (!existsSync(join(clientDir, 'vite.config.ts'))) return;
  let vite: typeof import('vite');
  try {
    vite = await import('vite');
  } catch {
    logger.warn({ reason }, 'the dashboard is not built and Vite is not installed: run `npm run build:client`; serving the API only');
    return;
  }
  logger.info({ reason }, 'building the dashboard (client/dist) before starting; this takes a few seconds');
  console.log(`tokentrace: building the dashboard (${reason})…`);
  const started = Date.now();
  await vite.build({ configFile: join(clientDir, 'vite.config.ts'), logLevel: 'warn', mode: 'production' });
  logger.info({ ms: Date.now() - started }, 'dashboard built');
}
