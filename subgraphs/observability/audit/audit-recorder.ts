import { platformScope } from '../../../platform/db/scope';
import type { Logger } from 'pino';
import { Counter, type Registry } from 'prom-client';
import type { DataSource } from 'typeorm';
import { AuditTrailRepository } from '../repositories/audit-trail.repository';
import { AUDIT_ACTIONS } from './audit-actions';

/** Events copied per transaction: a backlog drains in several short ones. */
const RECORD_BATCH = 500;
/** Rows pruned per transaction. */
const PRUNE_BATCH = 1_000;
/** Retention is a matter of days: one pruning pass an hour is plenty. */
const PRUNE_EVERY_MS = 3_600_000;

export interface AuditRecorderOptions {
  dataSource: DataSource;
  registry: Registry;
  logger: Logger;
  intervalMs: number;
  retentionDays: number;
  /** Injectable for tests. */
  now?: () => number;
}

/**
 * The observability process's background loop that keeps the audit trail: every interval it
 * copies the journal's new audited events into their chains (until none is left), and once an
 * hour prunes the chains' heads past AUDIT_RETENTION_DAYS. Several replicas may run it: the
 * functions serialize each chain's writes, and the journal cursor makes every copy happen once.
 */
export class AuditRecorder {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private stopped = false;
  private lastPrune = Number.NEGATIVE_INFINITY;
  private readonly recorded: Counter;
  private readonly pruned: Counter;
  private readonly failures: Counter<'step'>;
  private readonly now: () => number;

  constructor(private readonly options: AuditRecorderOptions) {
    this.now = options.now ?? Date.now;
    const registers = [options.registry];
    this.recorded = new Counter({
      name: 'tessera_audit_entries_recorded_total',
      help: 'Audited journal events copied into the audit trail.',
      registers,
    });
    this.pruned = new Counter({
      name: 'tessera_audit_entries_pruned_total',
      help: 'Audit trail rows deleted past AUDIT_RETENTION_DAYS.',
      registers,
    });
    this.failures = new Counter({
      name: 'tessera_audit_recorder_failures_total',
      help: 'Audit recorder passes that failed (retried on the next interval), by step.',
      labelNames: ['step'],
      registers,
    });
  }

  start(): void {
    this.schedule();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
  }

  /** One pass: record until the journal has nothing new, prune when an hour has passed. */
  async runOnce(): Promise<void> {
    await this.step('record', async () => {
      for (;;) {
        const count = await this.repository((trail) => trail.record(AUDIT_ACTIONS, RECORD_BATCH));
        this.recorded.inc(count);
        if (count < RECORD_BATCH || this.stopped) return;
      }
    });
    if (this.now() - this.lastPrune < PRUNE_EVERY_MS) return;
    await this.step('prune', async () => {
      for (;;) {
        const count = await this.repository((trail) =>
          trail.prune(this.options.retentionDays, PRUNE_BATCH),
        );
        this.pruned.inc(count);
        if (count < PRUNE_BATCH || this.stopped) break;
      }
      this.lastPrune = this.now();
    });
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.runOnce().finally(() => {
        this.running = null;
        this.schedule();
      });
    }, this.options.intervalMs);
    this.timer.unref();
  }

  private repository<T>(fn: (trail: AuditTrailRepository) => Promise<T>): Promise<T> {
    return platformScope(this.options.dataSource).run((manager) =>
      fn(new AuditTrailRepository(manager)),
    );
  }

  private async step(step: 'record' | 'prune', fn: () => Promise<void>): Promise<void> {
    try {
      await fn();
    } catch (error) {
      this.failures.inc({ step });
      this.options.logger.warn({ err: error, step }, 'audit recorder pass failed');
    }
  }
}
