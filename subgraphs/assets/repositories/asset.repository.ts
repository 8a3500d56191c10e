import { In, type EntityManager, type SelectQueryBuilder } from 'typeorm';
import { writeWithEvent, type PreparedEvent } from '../../../platform/events/append-event';
import type { CursorPosition } from '../../../platform/graphql/pagination';
import { AssetEntity } from '../entities/asset.entity';
import { ORDER_SPECS, type AssetOrder } from './asset-order';

export interface AssetFilterCriteria {
  search?: string;
  tags?: string[];
  contentType?: string;
  ownerId?: string;
  includeDeleted?: boolean;
  createdAfter?: Date;
  createdBefore?: Date;
}

export type NewAsset = Pick<
  AssetEntity,
  | 'tenantId'
  | 'name'
  | 'contentType'
  | 'sizeBytes'
  | 'checksumSha256'
  | 'tags'
  | 'metadata'
  | 'ownerId'
>;

export interface AssetPageQuery {
  tenantId: string;
  filter: AssetFilterCriteria;
  order: AssetOrder;
  after: CursorPosition | null;
  limit: number;
}

/**
 * The tenant lock (`Scope.run`'s `lockTenant`) that serializes a tenant's quota checks, so two
 * uploads created at once cannot both fit in the space left for one.
 */
export const QUOTA_LOCK = 'assets.quota';

/** Runs inside a tenant transaction: row-level security limits every query to that tenant. */
export class AssetRepository {
  constructor(private readonly manager: EntityManager) {}

  findByIds(ids: readonly string[]): Promise<AssetEntity[]> {
    if (ids.length === 0) return Promise.resolve([]);
    return this.manager.find(AssetEntity, { where: { id: In([...ids]) } });
  }

  findById(id: string): Promise<AssetEntity | null> {
    return this.manager.findOne(AssetEntity, { where: { id } });
  }

  /** The row, locked until the transaction ends: changes to one asset happen one at a time. */
  lockById(id: string): Promise<AssetEntity | null> {
    return this.manager
      .createQueryBuilder(AssetEntity, 'a')
      .setLock('pessimistic_write')
      .where('a.id = :id', { id })
      .getOne();
  }

  /**
   * Records a PENDING asset and journals `created` in one statement, if the tenant's bytes
   * ({@link usedBytes}) and this asset's stay within `quotaBytes`; null (nothing written) when
   * they would not. Run it under the tenant's QUOTA_LOCK: its sum is then taken after every
   * upload committed before it.
   */
  async insertWithinQuota(
    values: NewAsset & { id: string },
    quotaBytes: number,
    created: PreparedEvent,
  ): Promise<AssetEntity | null> {
    const row = await writeWithEvent<{ created_at: Date; updated_at: Date }>(
      this.manager,
      `INSERT INTO assets.assets
         (id, tenant_id, name, content_type, size_bytes, checksum_sha256, metadata, tags, owner_id)
       SELECT $1::uuid, $2::uuid, $3::text, $4::text, $5::integer, $6::text, $7::jsonb,
              $8::text[], $9::uuid
        WHERE (SELECT coalesce(sum(size_bytes), 0) FROM assets.assets WHERE tenant_id = $2::uuid)
              + $5::integer <= $10::bigint
       RETURNING created_at, updated_at`,
      [
        values.id,
        values.tenantId,
        values.name,
        values.contentType,
        values.sizeBytes,
        values.checksumSha256,
        values.metadata === undefined || values.metadata === null
          ? null
          : JSON.stringify(values.metadata),
        values.tags,
        values.ownerId,
        quotaBytes,
      ],
      created,
    );
    if (!row) return null;
    return Object.assign(new AssetEntity(), values, {
      metadata: values.metadata ?? null,
      status: 'PENDING',
      createdAt: row.created_at,
      updatedAt: row.updated_at,
      deletedAt: null,
      completedAt: null,
    });
  }

  save(asset: AssetEntity): Promise<AssetEntity> {
    return this.manager.save(AssetEntity, asset);
  }

  /**
   * Marks a locked PENDING asset READY with the digest of its stored bytes and journals
   * `completed`, in one statement (`save` would first read the row back to diff it). Returns
   * the asset as stored.
   */
  async markReady(
    asset: AssetEntity,
    sha256: string,
    completed: PreparedEvent,
  ): Promise<AssetEntity> {
    const row = await writeWithEvent<{ completed_at: Date; updated_at: Date }>(
      this.manager,
      `UPDATE assets.assets SET status = 'READY', checksum_sha256 = $2,
              completed_at = now(), updated_at = now()
        WHERE id = $1 RETURNING completed_at, updated_at`,
      [asset.id, sha256],
      completed,
    );
    if (!row) throw new Error(`asset ${asset.id} vanished under its lock`);
    return Object.assign(asset, {
      status: 'READY',
      checksumSha256: sha256,
      completedAt: row.completed_at,
      updatedAt: row.updated_at,
    });
  }

  /**
   * Bytes the tenant holds or has reserved: every row until the retention purge removes it
   * (pending uploads at their declared size, soft-deleted assets too, as their blobs remain).
   */
  async usedBytes(tenantId: string): Promise<number> {
    const [row] = await this.manager.query<{ used: string }[]>(
      `SELECT coalesce(sum(size_bytes), 0)::text AS used FROM assets.assets WHERE tenant_id = $1`,
      [tenantId],
    );
    return Number(row?.used ?? 0);
  }

  /** One keyset page: rows strictly after the cursor in the chosen order. */
  findPage(query: AssetPageQuery): Promise<AssetEntity[]> {
    const spec = ORDER_SPECS[query.order];
    const builder = this.filtered(query.tenantId, query.filter);
    if (query.after) {
      const comparison = spec.direction === 'DESC' ? '<' : '>';
      builder.andWhere(
        `(${spec.column}, a.id) ${comparison} (CAST(:afterValue AS ${spec.sqlType}), :afterId)`,
        {
          afterValue: query.after.value,
          afterId: query.after.id,
        },
      );
    }
    return builder
      .orderBy(spec.column, spec.direction)
      .addOrderBy('a.id', spec.direction)
      .limit(query.limit)
      .getMany();
  }

  count(tenantId: string, filter: AssetFilterCriteria): Promise<number> {
    return this.filtered(tenantId, filter).getCount();
  }

  private filtered(tenantId: string, filter: AssetFilterCriteria): SelectQueryBuilder<AssetEntity> {
    const builder = this.manager
      .createQueryBuilder(AssetEntity, 'a')
      .where('a.tenant_id = :tenantId', { tenantId });
    if (!filter.includeDeleted) builder.andWhere('a.deleted_at IS NULL');
    if (filter.search)
      builder.andWhere(`a.name ILIKE :search ESCAPE '\\'`, {
        search: `%${escapeLike(filter.search)}%`,
      });
    if (filter.tags?.length) builder.andWhere('a.tags @> :tags', { tags: filter.tags });
    if (filter.contentType)
      builder.andWhere('a.content_type = :contentType', { contentType: filter.contentType });
    if (filter.ownerId) builder.andWhere('a.owner_id = :ownerId', { ownerId: filter.ownerId });
    if (filter.createdAfter)
      builder.andWhere('a.created_at > :createdAfter', { createdAfter: filter.createdAfter });
    if (filter.createdBefore)
      builder.andWhere('a.created_at < :createdBefore', { createdBefore: filter.createdBefore });
    return builder;
  }
}

/** A search string matches literally: `%` and `_` typed by a user are not wildcards. */
function escapeLike(value: string): string {
  return value.replace(/[\\%_]/g, (char) => `\\${char}`);
}
