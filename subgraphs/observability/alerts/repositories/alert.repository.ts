import type { EntityManager } from 'typeorm';
import type { Severity } from '../../entities/alert-rule.entity';
import { ownedBy } from './owned-by';

/** One row of observability.alerts. */
export interface AlertRecord {
  id: string;
  /** null: a platform alert. */
  tenantId: string | null;
  ruleId: string;
  severity: Severity;
  message: string;
  value: number | null;
  firedAt: Date;
  resolvedAt: Date | null;
  acknowledgedAt: Date | null;
  acknowledgedBy: string | null;
}

const COLUMNS = `a.id, a.tenant_id AS "tenantId", a.rule_id AS "ruleId", a.severity, a.message,
  a.value, a.fired_at AS "firedAt", a.resolved_at AS "resolvedAt",
  a.acknowledged_at AS "acknowledgedAt", a.acknowledged_by AS "acknowledgedBy"`;

/**
 * Runs inside a tenant transaction, or a platform one (tenant null): row-level security limits
 * every query to that owner's alerts.
 */
export class AlertRepository {
  constructor(private readonly manager: EntityManager) {}

  /**
   * Newest first; `active` true: unresolved only, false: resolved only, null: both
   * (indexes: tenant + fired_at, and its partial twin for open alerts).
   */
  list(tenantId: string | null, active: boolean | null, limit: number): Promise<AlertRecord[]> {
    const filter =
      active === null ? '' : active ? 'AND a.resolved_at IS NULL' : 'AND a.resolved_at IS NOT NULL';
    const params: unknown[] = [limit];
    return this.manager.query(
      `SELECT ${COLUMNS} FROM observability.alerts a
        WHERE ${ownedBy('a.tenant_id', tenantId, params)} ${filter}
        ORDER BY a.fired_at DESC, a.id DESC LIMIT $1`,
      params,
    );
  }

  async findById(id: string, forUpdate = false): Promise<AlertRecord | null> {
    const rows = await this.manager.query<AlertRecord[]>(
      `SELECT ${COLUMNS} FROM observability.alerts a WHERE a.id = $1 ${forUpdate ? 'FOR UPDATE' : ''}`,
      [id],
    );
    return rows[0] ?? null;
  }

  /** The open alert of each rule that has one, by rule id. */
  async openByRule(tenantId: string | null): Promise<Map<string, AlertRecord>> {
    const params: unknown[] = [];
    const rows = await this.manager.query<AlertRecord[]>(
      `SELECT ${COLUMNS} FROM observability.alerts a
        WHERE ${ownedBy('a.tenant_id', tenantId, params)} AND a.resolved_at IS NULL`,
      params,
    );
    return new Map(rows.map((row) => [row.ruleId, row]));
  }

  async insert(alert: {
    tenantId: string | null;
    ruleId: string;
    severity: Severity;
    message: string;
    value: number | null;
    firedAt: Date;
  }): Promise<AlertRecord> {
    const rows = await this.manager.query<AlertRecord[]>(
      `INSERT INTO observability.alerts AS a (tenant_id, rule_id, severity, message, value, fired_at)
       VALUES ($1, $2, $3, $4, $5, $6) RETURNING ${COLUMNS}`,
      [alert.tenantId, alert.ruleId, alert.severity, alert.message, alert.value, alert.firedAt],
    );
    return rows[0]!;
  }

  async resolve(id: string, at: Date): Promise<AlertRecord | null> {
    const rows = await this.manager.query<[AlertRecord[], number]>(
      `UPDATE observability.alerts AS a SET resolved_at = greatest($2::timestamptz, a.fired_at)
        WHERE a.id = $1 AND a.resolved_at IS NULL RETURNING ${COLUMNS}`,
      [id, at],
    );
    return rows[0][0] ?? null;
  }

  async acknowledge(id: string, by: string | null, at: Date): Promise<AlertRecord | null> {
    const rows = await this.manager.query<[AlertRecord[], number]>(
      `UPDATE observability.alerts AS a SET acknowledged_at = $2, acknowledged_by = $3
        WHERE a.id = $1 AND a.acknowledged_at IS NULL RETURNING ${COLUMNS}`,
      [id, at, by],
    );
    return rows[0][0] ?? null;
  }
}
