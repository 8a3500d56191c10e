import type { Registry } from 'prom-client';
import type { ProcessTarget } from '../config';

/** One sample of the Prometheus text format: `name{label="value",…} 1.5`. */
export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface Scrape {
  samples: Sample[];
  /** Processes that did not answer in time: their samples are missing. */
  unscraped: string[];
}

/** A `/metrics` page is a few hundred KB at most; anything bigger is not ours. */
const MAX_PAGE_BYTES = 8 * 1024 * 1024;

/**
 * Reads every process's `/metrics` at once (and this process's registry directly), as the
 * alert evaluator's source. Scraping is what Prometheus does too, so a rule sees the numbers
 * an operator's dashboard shows; a process that does not answer is reported, not guessed.
 */
export class MetricsScraper {
  constructor(
    private readonly targets: readonly ProcessTarget[],
    private readonly own: Registry,
    private readonly timeoutMs: number,
  ) {}

  async scrapeAll(): Promise<Scrape> {
    const unscraped: string[] = [];
    const pages = await Promise.all([
      this.own.metrics(),
      ...this.targets.map(async (target) => {
        try {
          const response = await fetch(`${target.url}/metrics`, {
            signal: AbortSignal.timeout(this.timeoutMs),
          });
          const page = await response.text();
          if (!response.ok || page.length > MAX_PAGE_BYTES) throw new Error('bad page');
          return page;
        } catch {
          unscraped.push(target.name);
          return '';
        }
      }),
    ]);
    return { samples: pages.flatMap(parseMetricsPage), unscraped };
  }
}

const LINE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{.*\})?\s+(\S+)(?:\s+-?\d+)?$/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"\s*,?\s*/y;

/** Parses the text exposition format (comments and malformed lines are skipped). */
export function parseMetricsPage(page: string): Sample[] {
  const samples: Sample[] = [];
  for (const raw of page.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const match = LINE.exec(line);
    if (!match) continue;
    const [, name, labelBlock, valueText] = match as unknown as [string, string, string, string];
    const labels = labelBlock ? parseLabels(labelBlock.slice(1, -1)) : {};
    const value = parseValue(valueText);
    if (labels && value !== null) samples.push({ name, labels, value });
  }
  return samples;
}

function parseLabels(block: string): Record<string, string> | null {
  const labels: Record<string, string> = {};
  LABEL.lastIndex = 0;
  while (LABEL.lastIndex < block.length) {
    const start = LABEL.lastIndex;
    const match = LABEL.exec(block);
    if (!match || LABEL.lastIndex === start) return null;
    labels[match[1]!] = match[2]!.replace(/\\(.)/g, (_all, char: string) =>
      char === 'n' ? '\n' : char,
    );
  }
  return labels;
}

function parseValue(text: string): number | null {
  if (text === '+Inf') return Infinity;
  if (text === '-Inf') return -Infinity;
  const value = Number(text);
  return Number.isNaN(value) ? null : value;
}
