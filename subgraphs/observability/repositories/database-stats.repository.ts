import type { DataSource } from 'typeorm';

/**
 * PostgreSQL's own statistics views. Not tenant data: read outside any tenant transaction,
 * and only by platform administrators.
 */
export class DatabaseStatsRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** Server connections to this database, of every role and application. */
  async connections(): Promise<number> {
    const rows = await this.dataSource.query<{ count: number }[]>(
      `SELECT count(*)::int AS count FROM pg_stat_activity WHERE datname = current_database()`,
    );
    return rows[0]?.count ?? 0;
  }

  /**
   * Statements of this database whose mean execution time exceeds `thresholdMs`, or null
   * when pg_stat_statements is not installed (it also needs shared_preload_libraries: an
   * installed but unloaded extension fails, which reads as null too).
   */
  async slowStatements(thresholdMs: number): Promise<number | null> {
    const installed = await this.dataSource.query<unknown[]>(
      `SELECT 1 FROM pg_extension WHERE extname = 'pg_stat_statements'`,
    );
    if (installed.length === 0) return null;
    try {
      const rows = await this.dataSource.query<{ count: number }[]>(
        `SELECT count(*)::int AS count FROM pg_stat_statements
          WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
            AND mean_exec_time > $1`,
        [thresholdMs],
      );
      return rows[0]?.count ?? 0;
    } catch {
      return null;
    }
  }
}
