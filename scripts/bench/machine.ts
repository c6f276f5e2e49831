import os from 'node:os';

/** One line on the machine a bench runs on: CPU model and cores, memory, load average (1, 5, 15 min). */
export function machineSummary(): string {
  const cpus = os.cpus();
  const load = os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');
  return `machine: ${cpus.length} cores (${cpus[0]?.model.trim() ?? 'unknown CPU'}, available parallelism ${os.availableParallelism()}), ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB, load average ${load} (1, 5, 15 min)`;
}
