import fs from 'node:fs';

/**
 * CPU time from Linux's /proc, milliseconds. `/proc/<pid>/stat` counts a process's CPU in clock
 * ticks (USER_HZ, 100 a second on Linux: 10 ms resolution): utime and stime over all its threads,
 * cutime and cstime over its children that have exited and been waited for.
 */
const MS_PER_TICK = 1_000 / 100;

/** The fields of /proc/<pid>/stat this reads. */
interface ProcStat {
  readonly pid: number;
  readonly ppid: number;
  /** utime + stime: the process itself, all its threads, milliseconds. */
  readonly ownMs: number;
  /** cutime + cstime: its children that exited and were waited for, milliseconds. */
  readonly reapedChildrenMs: number;
}

/** /proc/<pid>/stat parsed (or one thread's, /proc/<pid>/task/<tid>/stat); undefined when the process is gone (or this is not Linux). */
function readStat(pid: number, tid?: number): ProcStat | undefined {
  let text: string;
  try {
    text = fs.readFileSync(tid === undefined ? `/proc/${pid}/stat` : `/proc/${pid}/task/${tid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // The command name (field 2) is in parentheses and may hold spaces: the fields after it, from state (3).
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  const field = (n: number) => Number(fields[n - 3]);
  return { pid, ppid: field(4), ownMs: (field(14) + field(15)) * MS_PER_TICK, reapedChildrenMs: (field(16) + field(17)) * MS_PER_TICK };
}

/** Every process's stat now, by pid. */
function allStats(): Map<number, ProcStat> {
  const stats = new Map<number, ProcStat>();
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = readStat(Number(entry));
    if (stat) stats.set(stat.pid, stat);
  }
  return stats;
}

/**
 * CPU time of the process `pid` (all its threads) and of its descendants, milliseconds: theirs
 * while they run, and, through cutime/cstime, theirs once they exited and were waited for (a
 * PostgreSQL backend that served a connection and ended is in its postmaster's cutime). NaN when
 * `pid` is not running.
 */
export function processTreeCpuMs(pid: number, stats: Map<number, ProcStat> = allStats()): number {
  const root = stats.get(pid);
  if (!root) return NaN;
  const children = new Map<number, ProcStat[]>();
  for (const stat of stats.values()) {
    const siblings = children.get(stat.ppid);
    if (siblings) siblings.push(stat);
    else children.set(stat.ppid, [stat]);
  }
  let total = 0;
  const pending = [root];
  for (let stat = pending.pop(); stat; stat = pending.pop()) {
    total += stat.ownMs + stat.reapedChildrenMs;
    pending.push(...(children.get(stat.pid) ?? []));
  }
  return total;
}

/** CPU time of several process trees at one instant (one scan of /proc), milliseconds by name. */
export function cpuSnapshot(pids: Readonly<Record<string, number>>): Record<string, number> {
  const stats = allStats();
  return Object.fromEntries(Object.entries(pids).map(([name, pid]) => [name, processTreeCpuMs(pid, stats)]));
}

/**
 * CPU time of the process `pid` itself (all its threads, not its children), or of its main thread
 * alone (`mainThread`: the thread whose id is the pid), milliseconds; NaN when it is not running.
 */
export function processCpuMs(pid: number | undefined, mainThread = false): number {
  if (pid === undefined) return NaN;
  return readStat(pid, mainThread ? pid : undefined)?.ownMs ?? NaN;
}

/** The parent of process `pid`; undefined when it is not running. */
export function parentPid(pid: number): number | undefined {
  return readStat(pid)?.ppid;
}

/**
 * CPU time of this process's children that exited and were waited for (cutime + cstime of
 * /proc/self/stat), milliseconds: a load generator's once it has ended.
 */
export function reapedChildrenCpuMs(): number {
  return readStat(process.pid)?.reapedChildrenMs ?? NaN;
}

/** CPU time of this process, all its threads (user + system), milliseconds. */
export function ownCpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1_000;
}
