import type { RequestContext } from '../../../platform/context/request-context';
import type { TenantScope } from '../../../platform/db/scope';
import { ConflictError, NotFoundError } from '../../../platform/errors/domain-errors';
import { appendEvent } from '../../../platform/events/append-event';
import { EventType } from '../../../platform/events/event-types';
import { parseId } from '../../../platform/graphql/ids';
import type { AssetEntity } from '../entities/asset.entity';
import { AssetRepository } from '../repositories/asset.repository';
import { assertMayChange } from './asset-access';
import { parseMetadata, parseTags, sanitizeName } from './asset-input';

export interface UpdateAssetArgs {
  id: string;
  name?: string | null;
  tags?: string[] | null;
  /** Absent leaves the metadata alone; null clears it. */
  metadata?: unknown;
}

/**
 * Changes to an existing asset: its name, tags and metadata, soft deletion and restoring.
 * Each runs on the locked row and appends its event in the same transaction; asking for what
 * is already the case (deleting a deleted asset, an update that changes nothing) changes
 * nothing and records nothing.
 */
export class AssetEditService {
  constructor(
    private readonly scope: TenantScope,
    private readonly request: RequestContext,
  ) {}

  update(args: UpdateAssetArgs): Promise<AssetEntity> {
    const changes: Partial<Pick<AssetEntity, 'name' | 'tags' | 'metadata'>> = {};
    if (args.name !== undefined && args.name !== null) changes.name = sanitizeName(args.name);
    if (args.tags !== undefined && args.tags !== null) changes.tags = parseTags(args.tags);
    if (args.metadata !== undefined) changes.metadata = parseMetadata(args.metadata);
    return this.change(args.id, EventType.ASSET_UPDATED, (asset) => {
      if (asset.status === 'DELETED') throw new ConflictError('Restore this asset to change it');
      const changed = (Object.keys(changes) as (keyof typeof changes)[]).filter(
        (field) => JSON.stringify(asset[field]) !== JSON.stringify(changes[field]),
      );
      Object.assign(asset, changes);
      return changed.length > 0 ? { changed } : null;
    });
  }

  /** Soft delete: the row and blob stay until the retention purge, and can be restored. */
  remove(id: string): Promise<AssetEntity> {
    return this.change(id, EventType.ASSET_DELETED, (asset) => {
      if (asset.status === 'DELETED') return null;
      asset.status = 'DELETED';
      asset.deletedAt = new Date();
      return {};
    });
  }

  /** Back to READY when its upload had completed, to PENDING otherwise. */
  restore(id: string): Promise<AssetEntity> {
    return this.change(id, EventType.ASSET_RESTORED, (asset) => {
      if (asset.status !== 'DELETED') return null;
      asset.status = asset.completedAt ? 'READY' : 'PENDING';
      asset.deletedAt = null;
      return { status: asset.status };
    });
  }

  /**
   * Locks the asset, checks the caller may change it, applies `apply` and, when it reports a
   * change (an event payload), saves and appends the event.
   */
  private change(
    rawId: string,
    type: EventType,
    apply: (asset: AssetEntity) => Record<string, unknown> | null,
  ): Promise<AssetEntity> {
    const id = parseId(rawId);
    return this.scope.run(async (manager) => {
      const assets = new AssetRepository(manager);
      const asset = await assets.lockById(id);
      if (!asset) throw new NotFoundError('Asset');
      assertMayChange(this.request, asset);
      const payload = apply(asset);
      if (!payload) return asset;
      const saved = await assets.save(asset);
      await appendEvent(manager, { type, payload: { assetId: id, ...payload } });
      return saved;
    });
  }
}
