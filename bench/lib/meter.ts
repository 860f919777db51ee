import { availableParallelism } from 'node:os';
import { performance } from 'node:perf_hooks';
import { cpuSecondsBetween, hostBusyCores, hostCpuTicks, mainThreadCpuSeconds, mainThreadMinorFaults, processCpuSeconds, threadCpuSeconds } from './cpu';

const cpus = availableParallelism();

// Measuring a path over several rounds: wall time of the phases themselves, CPU of this
// process, of the host and of the database (Postgres on this host only), event-loop
// utilisation of the server thread. The host is shared, so raw and HTTP rounds alternate:
// background load that comes and goes then weighs on both paths alike.

export interface Usage {
  /** CPU ms per batch of the server's main thread (and PGlite, when embedded); with --workers, of every server process's main thread. */
  serverMs: number | null;
  /** CPU ms per batch of this whole process: both threads, GC helpers, libuv's pool. */
  nodeMs: number;
  /** CPU ms per batch of the Postgres processes (on this host only). */
  dbMs: number | null;
  /** Event-loop utilisation of the server's thread (in-process server only). */
  serverElu: number | null;
  /** Minor page faults per batch of this process's main thread (in-process server only; see cpu.ts). */
  serverFaults: number | null;
  /** Cores the rest of the host kept busy meanwhile: host − this process − Postgres. */
  otherCores: number | null;
}

export class Meter {
  private wallMs = 0;
  private cpuMicros = 0;
  private mainSeconds = 0;
  private mainOk = true;
  private faults = 0;
  private faultsOk = true;
  private eluActive = 0;
  private eluIdle = 0;
  private hostBusy = 0;
  private hostTotal = 0;
  private hostOk = true;
  private dbSeconds = 0;
  private dbOk = true;
  /** CPU seconds of each thread of this process in the rounds (in-process server only). */
  private threadSeconds = new Map<number, number>();
  elapsedMs = 0;
  latenciesMs: number[] = [];
  /** Each round on its own: its phase's wall time, batches, and server main-thread CPU (null when unread). */
  readonly rounds: { elapsedMs: number; batches: number; serverMs: number | null }[] = [];

  /**
   * `serverCpuSeconds`: the server's main-thread CPU so far; by default this process's main
   * thread (the server runs in-process), else the main threads of the cluster's processes.
   */
  constructor(
    private readonly dbPids: () => Promise<number[]>,
    private readonly serverCpuSeconds: (() => Promise<number | null>) | null = null,
  ) {}

  async round<T extends { elapsedMs: number; latenciesMs: number[] }>(run: () => Promise<T>): Promise<T> {
    const threadsBefore = this.serverCpuSeconds ? null : await threadCpuSeconds();
    const dbBefore = await processCpuSeconds(await this.dbPids());
    const hostBefore = await hostCpuTicks();
    const mainBefore = await (this.serverCpuSeconds ?? mainThreadCpuSeconds)();
    const faultsBefore = await mainThreadMinorFaults();
    const cpuBefore = process.cpuUsage();
    const eluBefore = performance.eventLoopUtilization();
    const wall0 = performance.now();
    const result = await run();
    this.wallMs += performance.now() - wall0;
    const elu = performance.eventLoopUtilization(eluBefore);
    const cpu = process.cpuUsage(cpuBefore);
    const faultsAfter = await mainThreadMinorFaults();
    if (faultsBefore !== null && faultsAfter !== null) this.faults += faultsAfter - faultsBefore;
    else this.faultsOk = false;
    const mainAfter = await (this.serverCpuSeconds ?? mainThreadCpuSeconds)();
    const hostAfter = await hostCpuTicks();
    const dbAfter = await processCpuSeconds(await this.dbPids());
    this.eluActive += elu.active;
    this.eluIdle += elu.idle;
    this.cpuMicros += cpu.user + cpu.system;
    if (mainBefore !== null && mainAfter !== null) this.mainSeconds += mainAfter - mainBefore;
    else this.mainOk = false;
    this.rounds.push({
      elapsedMs: result.elapsedMs,
      batches: result.latenciesMs.length,
      serverMs: mainBefore !== null && mainAfter !== null ? (mainAfter - mainBefore) * 1000 : null,
    });
    if (hostBefore && hostAfter) {
      this.hostBusy += hostAfter.busy - hostBefore.busy;
      this.hostTotal += hostAfter.total - hostBefore.total;
    } else this.hostOk = false;
    const db = cpuSecondsBetween(dbBefore, dbAfter);
    if (db === null) this.dbOk = false;
    else this.dbSeconds += db;
    if (threadsBefore) {
      for (const [tid, seconds] of await threadCpuSeconds()) {
        this.threadSeconds.set(tid, (this.threadSeconds.get(tid) ?? 0) + seconds - (threadsBefore.get(tid) ?? 0));
      }
    }
    this.elapsedMs += result.elapsedMs;
    this.latenciesMs.push(...result.latenciesMs);
    return result;
  }

  /**
   * CPU ms per batch of this process's threads, in three groups: the main thread, the ingest
   * workers (`workerTids`: read workers and the codec's), and the rest — V8's helpers (garbage
   * collection, compiling) and libuv's thread pool. Null with the server in other processes.
   */
  threadsMs(workerTids: ReadonlySet<number>): { main: number; workers: number; others: number } | null {
    if (this.serverCpuSeconds || this.threadSeconds.size === 0) return null;
    const sums = { main: 0, workers: 0, others: 0 };
    for (const [tid, seconds] of this.threadSeconds) {
      if (tid === process.pid) sums.main += seconds;
      else if (workerTids.has(tid)) sums.workers += seconds;
      else sums.others += seconds;
    }
    const perBatch = (seconds: number) => (seconds * 1000) / this.latenciesMs.length;
    return { main: perBatch(sums.main), workers: perBatch(sums.workers), others: perBatch(sums.others) };
  }

  usage(): Usage {
    const n = this.latenciesMs.length;
    const nodeMs = this.cpuMicros / 1000 / n;
    const dbMs = this.dbOk ? (this.dbSeconds * 1000) / n : null;
    const hostCores = this.hostOk ? hostBusyCores({ busy: 0, total: 0 }, { busy: this.hostBusy, total: this.hostTotal }, cpus) : null;
    // With --workers the server runs in other processes: its CPU is ours too, not the host's other load.
    const externalServerMs = this.serverCpuSeconds && this.mainOk ? (this.mainSeconds * 1000) / n : 0;
    const ownCores = ((nodeMs + externalServerMs + (dbMs ?? 0)) * n) / this.wallMs;
    return {
      serverMs: this.mainOk ? (this.mainSeconds * 1000) / n : null,
      nodeMs,
      dbMs,
      serverElu: this.serverCpuSeconds ? null : this.eluActive / (this.eluActive + this.eluIdle),
      serverFaults: this.serverCpuSeconds || !this.faultsOk ? null : this.faults / n,
      otherCores: hostCores === null ? null : Math.max(0, hostCores - ownCores),
    };
  }
}

