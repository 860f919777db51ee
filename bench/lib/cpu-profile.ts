import { Session } from 'node:inspector/promises';
import { writeFile } from 'node:fs/promises';

// A V8 CPU profile of the main thread (the server) around some work, summarised as self
// time per package / source area and per function.

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples?: number[];
  timeDeltas?: number[];
}

export async function profiled<T>(file: string | undefined, run: () => Promise<T>): Promise<{ result: T; profile?: Profile }> {
  const session = new Session();
  session.connect();
  try {
    await session.post('Profiler.enable');
    await session.post('Profiler.setSamplingInterval', { interval: 200 });
    await session.post('Profiler.start');
    const result = await run();
    const { profile } = (await session.post('Profiler.stop')) as unknown as { profile: Profile };
    if (file) await writeFile(file, JSON.stringify(profile));
    return { result, profile };
  } finally {
    session.disconnect();
  }
}

function area(url: string, functionName: string): string {
  if (!url) return functionName.startsWith('(') ? functionName : `(native) ${functionName || 'anonymous'}`;
  const nm = url.lastIndexOf('/node_modules/');
  if (nm !== -1) {
    const rest = url.slice(nm + '/node_modules/'.length).split('/');
    return rest[0]!.startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0]!;
  }
  if (url.startsWith('node:')) return url.split('/').slice(0, 2).join('/');
  const m = /\/(server|schema|plugins|bench)\/(.*)$/.exec(url);
  if (m) return `${m[1]}/${m[2]!.replace(/\?.*$/, '')}`;
  return url;
}

/** Self time per area and the top functions, as text lines. */
export function summarise(profile: Profile, top = 25): string[] {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  // Leave out idle time and the profiler's own work (the Profiler.stop call).
  const parentOf = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parentOf.set(c, n.id);
  const skip = new Set<number>();
  for (const n of profile.nodes) {
    if (n.callFrame.functionName === '(idle)') skip.add(n.id);
    for (let cur: number | undefined = n.id; cur !== undefined; cur = parentOf.get(cur)) {
      if (byId.get(cur)?.callFrame.url === 'node:inspector') {
        skip.add(n.id);
        break;
      }
    }
  }
  const self = new Map<number, number>();
  const samples = profile.samples ?? [];
  const deltas = profile.timeDeltas ?? [];
  for (let i = 0; i < samples.length; i++) {
    const id = samples[i]!;
    if (!skip.has(id)) self.set(id, (self.get(id) ?? 0) + (deltas[i] ?? 0));
  }
  const total = [...self.values()].reduce((a, b) => a + b, 0);
  const byArea = new Map<string, number>();
  const byFn = new Map<string, number>();
  for (const [id, us] of self) {
    const node = byId.get(id);
    if (!node) continue;
    const { functionName, url, lineNumber } = node.callFrame;
    const a = area(url, functionName);
    byArea.set(a, (byArea.get(a) ?? 0) + us);
    const fn = `${functionName || '(anonymous)'} ${url ? `${a}:${lineNumber + 1}` : ''}`.trim();
    byFn.set(fn, (byFn.get(fn) ?? 0) + us);
  }
  // Owner: the nearest package or app file up the stack, so Node internals and builtins
  // (Buffer#toString, socket writes, JSON) count for the code that called them.
  const owner = (id: number): string => {
    for (let cur: number | undefined = id; cur !== undefined; cur = parentOf.get(cur)) {
      const node = byId.get(cur)!;
      const { url, functionName } = node.callFrame;
      if (cur === id && !url && functionName.startsWith('(')) return functionName;
      if (url.includes('/node_modules/') || /\/(server|schema|plugins|bench)\//.test(url)) return area(url, functionName);
    }
    return '(node internals, no caller)';
  };
  const byOwner = new Map<string, number>();
  for (const [id, us] of self) {
    const o = owner(id);
    byOwner.set(o, (byOwner.get(o) ?? 0) + us);
  }
  const pct = (us: number) => `${((us / total) * 100).toFixed(1).padStart(5)}%`;
  const lines = [`busy self time ${(total / 1e6).toFixed(2)} s on the main thread (idle and profiler left out)`, 'by area:'];
  for (const [a, us] of [...byArea].sort((x, y) => y[1] - x[1]).slice(0, top)) lines.push(`  ${pct(us)}  ${a}`);
  lines.push('by owner (Node internals and builtins charged to the package or app file that called them):');
  for (const [o, us] of [...byOwner].sort((x, y) => y[1] - x[1]).slice(0, top)) lines.push(`  ${pct(us)}  ${o}`);
  lines.push('by function:');
  for (const [f, us] of [...byFn].sort((x, y) => y[1] - x[1]).slice(0, top)) lines.push(`  ${pct(us)}  ${f}`);
  return lines;
}
