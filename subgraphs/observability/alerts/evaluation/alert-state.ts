import type { Sample } from '../../probes/metrics-scraper';
import type { AlertRuleState } from '../repositories/alert-state.repository';
import type { MetricSelector } from '../alert-metrics';

/** The raw value of a selector over every scraped series: their sum, or their max. */
export function measure(selector: MetricSelector, samples: readonly Sample[]): number | null {
  let result: number | null = null;
  for (const sample of samples) {
    if (sample.name !== selector.name) continue;
    const matches = Object.entries(selector.matchers).every(
      ([label, value]) => sample.labels[label] === value,
    );
    if (!matches) continue;
    result =
      result === null
        ? sample.value
        : selector.metric.aggregate === 'max'
          ? Math.max(result, sample.value)
          : result + sample.value;
  }
  return result;
}

export interface Reading {
  /** What the rule compares: the gauge, or the counter's rate per second; null: no data. */
  value: number | null;
  /** The counter total to remember for the next rate. */
  sample: number | null;
}

/**
 * A counter's rate since the previous round. A total below the previous one means a process
 * restarted and its counter began again from zero, so the new total is all that happened
 * (as Prometheus' rate() assumes). The first round of a rule has nothing to compare with.
 */
export function read(
  selector: MetricSelector,
  raw: number | null,
  previous: PreviousSample | undefined,
  now: Date,
): Reading {
  if (selector.metric.kind === 'gauge') return { value: raw, sample: null };
  if (raw === null) return { value: null, sample: null };
  const last = previous?.lastSample;
  if (last == null) return { value: null, sample: raw };
  return { value: perSecond(raw >= last ? raw - last : raw, previous, now), sample: raw };
}

/**
 * A journal counter: the owner's events (of the selector's `type`, if it names one) since the
 * position remembered last round, per second. Positions are gapless, so without a type the
 * count is their difference. The first round only takes the position.
 */
export async function readJournal(
  selector: MetricSelector,
  position: number,
  previous: PreviousSample | undefined,
  now: Date,
  countOfType: (type: string, after: number, upTo: number) => Promise<number>,
): Promise<Reading> {
  const last = previous?.lastSample;
  // Behind the remembered position: a restored database; start over from here.
  if (last == null || last > position) return { value: null, sample: position };
  const type = selector.matchers.type;
  const increase = type === undefined ? position - last : await countOfType(type, last, position);
  return { value: perSecond(increase, previous, now), sample: position };
}

type PreviousSample = Pick<AlertRuleState, 'lastSample' | 'lastSampleAt'>;

function perSecond(increase: number, previous: PreviousSample | undefined, now: Date) {
  if (!previous?.lastSampleAt) return null;
  const seconds = (now.getTime() - previous.lastSampleAt.getTime()) / 1000;
  return seconds > 0 ? increase / seconds : null;
}

export function holds(value: number, comparator: string, threshold: number): boolean {
  switch (comparator) {
    case '>':
      return value > threshold;
    case '>=':
      return value >= threshold;
    case '<':
      return value < threshold;
    case '<=':
      return value <= threshold;
    case '==':
      return value === threshold;
    case '!=':
      return value !== threshold;
    default:
      return false;
  }
}

export type Transition = 'fire' | 'resolve' | null;

/**
 * One step of a rule: pending while its condition holds, firing once it has held for
 * `forSeconds`, resolved when it stops holding. No data (a process not scraped, a counter's
 * first round) changes nothing: an outage of the metrics must not resolve an alert, nor start
 * one. A disabled rule resolves its open alert.
 */
export function step(input: {
  enabled: boolean;
  condition: boolean | null;
  open: boolean;
  pendingSince: Date | null;
  forSeconds: number;
  now: Date;
}): { pendingSince: Date | null; transition: Transition } {
  const { enabled, condition, open, now } = input;
  if (!enabled) return { pendingSince: null, transition: open ? 'resolve' : null };
  if (condition === null) return { pendingSince: input.pendingSince, transition: null };
  if (!condition) return { pendingSince: null, transition: open ? 'resolve' : null };
  const pendingSince = input.pendingSince ?? now;
  const due = now.getTime() - pendingSince.getTime() >= input.forSeconds * 1000;
  return { pendingSince, transition: !open && due ? 'fire' : null };
}

/** What an alert says, for people: the rule, the value and the threshold. */
export function alertMessage(rule: {
  name: string;
  metric: string;
  comparator: string;
  threshold: number;
  forSeconds: number;
  kind: 'gauge' | 'counter';
  value: number | null;
}): string {
  const value = rule.value === null ? 'no data' : formatNumber(rule.value);
  const per = rule.kind === 'counter' ? '/s' : '';
  return `${rule.name}: ${rule.metric} is ${value}${per} (${rule.comparator} ${formatNumber(rule.threshold)}${per} for ${rule.forSeconds}s)`.slice(
    0,
    1000,
  );
}

function formatNumber(value: number): string {
  return Number.isInteger(value) ? String(value) : value.toPrecision(4);
}
