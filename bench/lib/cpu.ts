import { readdir, readFile } from 'node:fs/promises';

// Best-effort CPU accounting for a phase: the whole host (from /proc/stat) and a set of
// processes (Postgres backends, when the server runs on this machine). Every reader returns
// null where the figure is not available, and the bench prints "-".

const TICKS_PER_SECOND = 100; // USER_HZ on Linux

/** Busy and total jiffies of all CPUs. */
export async function hostCpuTicks(): Promise<{ busy: number; total: number } | null> {
  try {
    const line = (await readFile('/proc/stat', 'utf8')).split('\n')[0] ?? '';
    const fields = line.trim().split(/\s+/).slice(1).map(Number);
    const idle = (fields[3] ?? 0) + (fields[4] ?? 0);
    const total = fields.slice(0, 8).reduce((a, b) => a + b, 0);
    return { busy: total - idle, total };
  } catch {
    return null;
  }
}

/** Cores kept busy on the host between two readings (0..number of CPUs). */
export function hostBusyCores(
  before: { busy: number; total: number } | null,
  after: { busy: number; total: number } | null,
  cpus: number,
): number | null {
  if (!before || !after || after.total === before.total) return null;
  return ((after.busy - before.busy) / (after.total - before.total)) * cpus;
}

async function statCpuSeconds(path: string): Promise<number | null> {
  try {
    const stat = await readFile(path, 'utf8');
    // Fields after the parenthesised command name; utime and stime are fields 14 and 15.
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(rest[11]) + Number(rest[12])) / TICKS_PER_SECOND;
  } catch {
    return null; // not on this host, or gone
  }
}

/** utime + stime of each pid, in seconds; pids that cannot be read are left out. */
export async function processCpuSeconds(pids: number[]): Promise<Map<number, number>> {
  const out = new Map<number, number>();
  await Promise.all(
    pids.map(async (pid) => {
      const seconds = await statCpuSeconds(`/proc/${pid}/stat`);
      if (seconds !== null) out.set(pid, seconds);
    }),
  );
  return out;
}

/**
 * Minor page faults of this process's main thread so far: each is a fresh page of memory touched
 * for the first time. On some virtual machines one costs tens of microseconds, so memory the
 * runtime hands back to the system and takes again shows up as CPU.
 */
export async function mainThreadMinorFaults(): Promise<number | null> {
  try {
    const stat = await readFile(`/proc/${process.pid}/task/${process.pid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[7]); // minflt, field 10
  } catch {
    return null;
  }
}

/** CPU seconds of each thread of this process so far, by thread id (empty off Linux). */
export async function threadCpuSeconds(): Promise<Map<number, number>> {
  const out = new Map<number, number>();
  let tids: string[];
  try {
    tids = await readdir(`/proc/${process.pid}/task`);
  } catch {
    return out;
  }
  await Promise.all(
    tids.map(async (tid) => {
      const seconds = await statCpuSeconds(`/proc/${process.pid}/task/${tid}/stat`);
      if (seconds !== null) out.set(Number(tid), seconds);
    }),
  );
  return out;
}

/** CPU seconds of this process's main thread alone (not workers, GC helpers or libuv's pool). */
export function mainThreadCpuSeconds(): Promise<number | null> {
  return statCpuSeconds(`/proc/${process.pid}/task/${process.pid}/stat`);
}

/** CPU seconds the pids used between two readings (a pid first seen in `after` counts from 0). */
export function cpuSecondsBetween(before: Map<number, number>, after: Map<number, number>): number | null {
  if (after.size === 0) return null;
  let sum = 0;
  for (const [pid, seconds] of after) sum += seconds - (before.get(pid) ?? 0);
  return sum;
}

/** The pids whose parent is `pid` (a cluster's workers), read from /proc; empty off Linux. */
export async function childPids(pid: number): Promise<number[]> {
  let entries: string[];
  try {
    entries = await readdir('/proc');
  } catch {
    return [];
  }
  const out: number[] = [];
  await Promise.all(
    entries.filter((e) => /^\d+$/.test(e)).map(async (e) => {
      try {
        const stat = await readFile(`/proc/${e}/stat`, 'utf8');
        const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
        if (ppid === pid) out.push(Number(e));
      } catch {
        // gone meanwhile
      }
    }),
  );
  return out;
}

/** CPU seconds of the main threads of `pids` together (null when none can be read). */
export async function mainThreadsCpuSeconds(pids: number[]): Promise<number | null> {
  const each = await Promise.all(pids.map((pid) => statCpuSeconds(`/proc/${pid}/task/${pid}/stat`)));
  const read = each.filter((s): s is number => s !== null);
  return read.length === 0 ? null : read.reduce((a, b) => a + b, 0);
}
