import { readFileSync } from 'node:fs';
import { SERVICE_ENTRIES, type ServiceName } from '../../scripts/lib/service-process';
import { descendants } from '../gateway/peak-rss';

/** Linux counts CPU time in clock ticks of 1/100 s (`getconf CLK_TCK`). */
const TICKS_PER_SECOND = 100;

export interface ProcessUsage {
  service: ServiceName;
  /** Highest resident memory seen, in MiB (a service's processes summed). */
  peakRssMiB: number;
  /** CPU cores used over the busiest window of `windowMs` (1.0 = one core all the time). */
  peakCores: number;
  /** CPU cores used on average while the service ran under the sampler. */
  meanCores: number;
}

interface Sample {
  at: number;
  rssBytes: number;
  cpuTicks: number;
}

export interface UsageSampler {
  /** Stops sampling and summarises each Tessera process seen below this one. */
  stop(): ProcessUsage[];
}

/**
 * Samples every Tessera process this process started (spawnService's children, found by their
 * entry file) every `intervalMs`: resident memory from /proc/PID/status, CPU time from
 * /proc/PID/stat. The capacity figures in docs/deploy-kubernetes.md come from it. Linux only.
 */
export function sampleProcessUsage(intervalMs = 1_000, windowMs = 5_000): UsageSampler {
  const series = new Map<ServiceName, Sample[]>();
  const sample = () => {
    const at = Date.now();
    const totals = new Map<ServiceName, Sample>();
    for (const pid of descendants(process.pid)) {
      const service = serviceOf(pid);
      const usage = service ? usageOf(pid) : undefined;
      if (!service || !usage) continue;
      const total = totals.get(service) ?? { at, rssBytes: 0, cpuTicks: 0 };
      total.rssBytes += usage.rssBytes;
      total.cpuTicks += usage.cpuTicks;
      totals.set(service, total);
    }
    for (const [service, total] of totals) {
      series.set(service, [...(series.get(service) ?? []), total]);
    }
  };
  sample();
  const timer = setInterval(sample, intervalMs);
  return {
    stop: () => {
      clearInterval(timer);
      sample();
      return [...series].map(([service, samples]) => summarise(service, samples, windowMs));
    },
  };
}

function summarise(service: ServiceName, samples: Sample[], windowMs: number): ProcessUsage {
  const cores = (from: Sample, to: Sample) =>
    to.at > from.at
      ? (to.cpuTicks - from.cpuTicks) / TICKS_PER_SECOND / ((to.at - from.at) / 1000)
      : 0;
  let peakCores = 0;
  for (let end = 0, start = 0; end < samples.length; end++) {
    while (samples[end]!.at - samples[start]!.at > windowMs) start++;
    // A process restarted under the sampler starts its CPU time over: skip that window.
    if (samples[end]!.cpuTicks >= samples[start]!.cpuTicks) {
      peakCores = Math.max(peakCores, cores(samples[start]!, samples[end]!));
    }
  }
  const round = (value: number, digits: number) => Number(value.toFixed(digits));
  return {
    service,
    peakRssMiB: round(Math.max(...samples.map((s) => s.rssBytes)) / 2 ** 20, 0),
    peakCores: round(peakCores, 2),
    meanCores: round(cores(samples[0]!, samples[samples.length - 1]!), 2),
  };
}

function serviceOf(pid: number): ServiceName | undefined {
  try {
    const args = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    const entries = Object.entries(SERVICE_ENTRIES) as [ServiceName, string][];
    return entries.find(([, entry]) => args.some((arg) => arg.endsWith(entry)))?.[0];
  } catch {
    return undefined;
  }
}

function usageOf(pid: number): { rssBytes: number; cpuTicks: number } | undefined {
  try {
    const kib = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // After the parenthesised command name: state is field 3, utime 14 and stime 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (kib === undefined) return undefined;
    return { rssBytes: Number(kib) * 1024, cpuTicks: Number(fields[11]) + Number(fields[12]) };
  } catch {
    return undefined;
  }
}
