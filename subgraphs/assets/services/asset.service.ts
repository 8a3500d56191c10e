import type { TenantScope } from '../../../platform/db/scope';
import { ValidationError } from '../../../platform/errors/domain-errors';
import {
  decodeCursor,
  pageSize,
  toConnection,
  type Connection,
  type CursorPosition,
} from '../../../platform/graphql/pagination';
import { isUuid, parseId } from '../../../platform/graphql/ids';
import type { AssetEntity } from '../entities/asset.entity';
import type { AssetLoaders } from '../loaders';
import type { BlobUrls } from './blob-urls';
import { keyOf } from './asset-upload.service';
import { ORDER_SPECS, positionOf, type AssetOrder } from '../repositories/asset-order';
import { AssetRepository, type AssetFilterCriteria } from '../repositories/asset.repository';

export interface AssetFilterInput {
  search?: string | null;
  tags?: string[] | null;
  contentType?: string | null;
  ownerId?: string | null;
  includeDeleted?: boolean | null;
  createdAfter?: Date | string | null;
  createdBefore?: Date | string | null;
}

export interface AssetListArgs {
  first?: number | null;
  after?: string | null;
  filter?: AssetFilterInput | null;
  orderBy?: AssetOrder | null;
}

export interface AssetConnectionModel extends Connection<AssetEntity> {
  /** Counted only when a client asks for totalCount. */
  countTotal(): Promise<number>;
}

const LIMITS = { search: 200, tags: 20, tag: 64, contentType: 255 };

/** An entity reference to a user, resolved by the auth subgraph. */
export interface UserReference {
  id: string;
}

export class AssetService {
  constructor(
    private readonly scope: TenantScope,
    private readonly loaders: AssetLoaders,
    private readonly urls: BlobUrls,
  ) {}

  /** A signed, expiring URL to the bytes of a READY asset; null for any other asset. */
  downloadUrl(asset: AssetEntity): string | null {
    if (asset.status !== 'READY') return null;
    return this.urls.download(keyOf(asset)).url;
  }

  /** `User.assets`: the same listing, limited to what one user owns. */
  listOwnedBy(user: UserReference, args: AssetListArgs): Promise<AssetConnectionModel> {
    return this.list({ ...args, filter: { ...args.filter, ownerId: user.id } });
  }

  /** An asset of the current tenant; another tenant's id reads as not there. */
  byId(id: string): Promise<AssetEntity | null> {
    return this.loaders.assetById.load(parseId(id));
  }

  async byReference(id: string): Promise<AssetEntity | null> {
    return isUuid(id) ? this.loaders.assetById.load(id.toLowerCase()) : null;
  }

  async list(args: AssetListArgs): Promise<AssetConnectionModel> {
    const size = pageSize(args.first);
    const order = args.orderBy ?? 'CREATED_AT_DESC';
    const after = validCursor(decodeCursor(args.after), order);
    const filter = criteria(args.filter ?? {});
    const tenantId = this.scope.tenantId;

    // A listing may lag: the read replica's, unless it has not replayed the caller's writes.
    const rows = await this.scope.read((manager) =>
      new AssetRepository(manager).findPage({ tenantId, filter, order, after, limit: size + 1 }),
    );
    // Later references to these assets in the same request need no query.
    for (const row of rows) this.loaders.assetById.prime(row.id, row);
    return {
      ...toConnection(rows, size, (asset) => positionOf(order, asset)),
      countTotal: () =>
        this.scope.read((manager) => new AssetRepository(manager).count(tenantId, filter)),
    };
  }
}

function validCursor(position: CursorPosition | null, order: AssetOrder): CursorPosition | null {
  if (position && (!ORDER_SPECS[order].isValidValue(position.value) || !isUuid(position.id))) {
    throw new ValidationError('after is not a cursor for this order', { field: 'after' });
  }
  return position;
}

function criteria(input: AssetFilterInput): AssetFilterCriteria {
  const result: AssetFilterCriteria = { includeDeleted: input.includeDeleted ?? false };
  if (input.search) {
    if (input.search.length > LIMITS.search) tooLong('filter.search', LIMITS.search);
    result.search = input.search;
  }
  if (input.tags?.length) {
    if (input.tags.length > LIMITS.tags) {
      throw new ValidationError(`filter.tags takes at most ${LIMITS.tags} tags`, {
        field: 'filter.tags',
      });
    }
    for (const tag of input.tags) if (tag.length > LIMITS.tag) tooLong('filter.tags', LIMITS.tag);
    result.tags = input.tags;
  }
  if (input.contentType) {
    if (input.contentType.length > LIMITS.contentType)
      tooLong('filter.contentType', LIMITS.contentType);
    result.contentType = input.contentType.toLowerCase();
  }
  if (input.ownerId) result.ownerId = parseId(input.ownerId, 'filter.ownerId');
  if (input.createdAfter) result.createdAfter = new Date(input.createdAfter);
  if (input.createdBefore) result.createdBefore = new Date(input.createdBefore);
  return result;
}

function tooLong(field: string, max: number): never {
  throw new ValidationError(`${field} is longer than ${max} characters`, { field });
}
