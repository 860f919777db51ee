import { readFile } from 'node:fs/promises';
import { loadConfig } from '../config';
import { createDb } from '../db/create-db';
import { verifyAuditChain } from '../services/audit-chain';
import { checkpointProblem, newestCheckpoint } from '../services/audit-checkpoint';
import { loadAuditKeyRing } from '../services/audit-keys';
import { isUuid } from '../services/projects';

// `tsx server/cli.ts verify-audit <projectId | --global> [--json] [--checkpoint <file.jsonl>]`
// (npm run audit:verify -- …): the same walk as the verifyAuditLog query, for operators and
// cron jobs, with the same audit key (TOKENTRACE_AUDIT_KEYS). With --checkpoint, the newest
// entry of that chain in an export of the JSON-lines audit sink must still be in the database
// (it catches removed newest entries, which leave no broken link). Exit code 0 when intact, 1
// when not, 2 on a usage error. It only reads. With the embedded database, stop the server
// first: PGlite allows one process at a time.

const USAGE = 'usage: tsx server/cli.ts verify-audit <projectId | --global> [--json] [--checkpoint <file.jsonl>]';

export interface CommandOutput {
  log(line: string): void;
  error(line: string): void;
}

export async function runVerifyAudit(
  args: readonly string[],
  env: Record<string, string | undefined> = process.env,
  out: CommandOutput = console,
): Promise<number> {
  const json = args.includes('--json');
  const checkpointAt = args.indexOf('--checkpoint');
  const checkpointFile = checkpointAt >= 0 ? args[checkpointAt + 1] : undefined;
  const target = args.find((a, i) => a !== '--json' && a !== '--checkpoint' && (checkpointAt < 0 || i !== checkpointAt + 1));
  if (!target || (target !== '--global' && !isUuid(target)) || (checkpointAt >= 0 && !checkpointFile)) {
    out.error(USAGE);
    return 2;
  }
  const chain = target === '--global' ? null : target;
  const label = chain === null ? 'the global audit chain' : `the audit chain of project ${chain}`;
  const config = loadConfig(env);
  const keys = loadAuditKeyRing(config, (message) => out.error(message));
  const exported = checkpointFile ? await readFile(checkpointFile, 'utf8') : undefined;
  const db = await createDb({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  try {
    const result = await verifyAuditChain(db.db, chain, keys);
    let checkpoint: { id: string | null; problem: string | null } | undefined;
    if (exported !== undefined) {
      const newest = newestCheckpoint(exported, chain);
      const problem = newest ? await checkpointProblem(db.db, newest, keys) : `${checkpointFile} holds no signed entry of ${label}`;
      checkpoint = { id: newest?.id ?? null, problem: problem ?? null };
    }
    const ok = result.ok && !checkpoint?.problem;
    if (json) out.log(JSON.stringify({ chain: chain ?? 'global', ...result, ...(checkpoint ? { checkpoint } : {}) }));
    else {
      if (result.ok) out.log(`${label} is intact: ${result.checked} entries checked`);
      else out.error(`${label} is BROKEN at entry ${result.firstBrokenId} (${result.checked} entries checked): ${result.reason}`);
      if (checkpoint?.problem) out.error(`${label} does not match the checkpoint: ${checkpoint.problem}`);
      else if (checkpoint) out.log(`${label} still holds checkpoint entry ${checkpoint.id}`);
    }
    return ok ? 0 : 1;
  } finally {
    await db.close();
  }
}

export async function verifyAuditCommand(): Promise<void> {
  process.exitCode = await runVerifyAudit(process.argv.slice(3));
}
