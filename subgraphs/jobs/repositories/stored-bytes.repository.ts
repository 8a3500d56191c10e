import type { DataSource } from 'typeorm';

export interface StoredBytes {
  tenantId: string;
  bytes: number;
}

/** Every tenant's stored bytes, through assets' function (the worker reads no asset row). */
export class StoredBytesRepository {
  constructor(private readonly dataSource: DataSource) {}

  async byTenant(): Promise<StoredBytes[]> {
    const rows = await this.dataSource.query<{ tenant_id: string; bytes: string }[]>(
      `SELECT tenant_id, bytes::text AS bytes FROM assets.stored_bytes_by_tenant()`,
    );
    return rows.map((row) => ({ tenantId: row.tenant_id, bytes: Number(row.bytes) }));
  }
}
