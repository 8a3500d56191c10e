import type { CheckResult } from '../../../platform/http/readiness';
import type { ProcessTarget } from '../config';

/** A process's readiness as its `/readyz` reports it: `down` when it does not answer in time. */
export interface ProcessReadiness {
  name: string;
  status: 'ok' | 'fail' | 'down';
  latencyMs: number;
  detail?: string;
}

interface ReadyzBody {
  checks?: { name?: unknown; status?: unknown; detail?: unknown }[];
  status?: unknown;
}

/**
 * Asks every process's `/readyz` at once, each bounded by `timeoutMs`, so one hung process
 * costs the caller the timeout, not the sum. Concurrent callers share one round of probes:
 * `health` is open to anyone, and must not multiply into seven requests per request.
 */
export class ReadinessProbe {
  private inFlight: Promise<ProcessReadiness[]> | undefined;

  constructor(
    private readonly targets: readonly ProcessTarget[],
    private readonly timeoutMs: number,
  ) {}

  probeAll(): Promise<ProcessReadiness[]> {
    this.inFlight ??= Promise.all(this.targets.map((target) => this.probe(target))).finally(() => {
      this.inFlight = undefined;
    });
    return this.inFlight;
  }

  private async probe(target: ProcessTarget): Promise<ProcessReadiness> {
    const started = performance.now();
    let response: Response;
    let body: ReadyzBody | null;
    try {
      response = await fetch(`${target.url}/readyz`, {
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      body = (await response.json().catch(() => null)) as ReadyzBody | null;
    } catch (error) {
      return { name: target.name, status: 'down', latencyMs: elapsed(started), detail: why(error) };
    }
    const latencyMs = elapsed(started);
    if (response.ok) return { name: target.name, status: 'ok', latencyMs };
    const failing = (body?.checks ?? [])
      .filter((check) => check.status !== 'ok')
      .map((check) =>
        [check.name, check.detail].filter((part) => typeof part === 'string').join(': '),
      );
    const detail =
      failing.length > 0
        ? failing.join('; ')
        : typeof body?.status === 'string'
          ? body.status
          : `HTTP ${response.status}`;
    return { name: target.name, status: 'fail', latencyMs, detail: detail.slice(0, 300) };
  }
}

/** The probe's own checks in the same shape, for one list. */
export function fromCheck(check: CheckResult): ProcessReadiness {
  return { ...check, status: check.status === 'ok' ? 'ok' : 'fail' };
}

function elapsed(started: number): number {
  return Math.round((performance.now() - started) * 100) / 100;
}

function why(error: unknown): string {
  if (error instanceof Error && error.name === 'TimeoutError') return 'timed out';
  const cause = (error as { cause?: { code?: unknown } }).cause;
  if (cause && typeof cause.code === 'string') return cause.code;
  return 'unreachable';
}
