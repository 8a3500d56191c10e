import { createHash, randomUUID } from 'node:crypto';
import type { RequestContext } from '../../../platform/context/request-context';
import type { TenantScope } from '../../../platform/db/scope';
import {
  ConflictError,
  DomainError,
  NotFoundError,
  ValidationError,
} from '../../../platform/errors/domain-errors';
import { ErrorCode } from '../../../platform/errors/codes';
import { prepareEvent } from '../../../platform/events/append-event';
import { EventType } from '../../../platform/events/event-types';
import { parseId } from '../../../platform/graphql/ids';
import type { AssetEntity } from '../entities/asset.entity';
import { AssetRepository, QUOTA_LOCK } from '../repositories/asset.repository';
import type { BlobKey } from '../storage/blob-store';
import { assertMayChange } from './asset-access';
import {
  parseChecksum,
  parseContentType,
  parseMetadata,
  parseSize,
  parseTags,
  sanitizeName,
} from './asset-input';
import type { AssetsServices } from './assets-services';

export interface CreateUploadArgs {
  name: string;
  contentType: string;
  sizeBytes: number;
  tags?: string[] | null;
  metadata?: unknown;
  checksumSha256?: string | null;
}

/** What createAssetUpload answers: the PENDING asset and where to PUT its bytes. */
export interface AssetUploadModel {
  asset: AssetEntity;
  uploadUrl: string;
  expiresAt: Date;
}

/** The tenant's quota would be exceeded: PAYLOAD_TOO_LARGE, with the quota as the limit. */
export class QuotaExceededError extends DomainError {
  constructor(quotaBytes: number, usedBytes: number) {
    super(
      ErrorCode.PAYLOAD_TOO_LARGE,
      `This upload does not fit in the tenant's storage quota of ${quotaBytes} bytes`,
      413,
      { limitBytes: quotaBytes, usedBytes },
    );
  }
}

/**
 * Uploads in two steps: createAssetUpload checks the declared entry (size against the
 * per-asset limit and the tenant's quota, content type, name) and records a PENDING asset;
 * the client PUTs the bytes to the signed URL; completeAssetUpload reads the stored bytes
 * back, checks size and SHA-256, and marks the asset READY. A PENDING asset that never
 * completes (and its blob, if any) is removed by the retention purge.
 */
export class AssetUploadService {
  constructor(
    private readonly scope: TenantScope,
    private readonly request: RequestContext,
    private readonly services: AssetsServices,
  ) {}

  async create(args: CreateUploadArgs): Promise<AssetUploadModel> {
    const { limits } = this.services;
    const values = {
      name: sanitizeName(args.name),
      contentType: parseContentType(args.contentType, limits.contentTypes),
      sizeBytes: parseSize(args.sizeBytes, limits.maxBytes),
      tags: parseTags(args.tags ?? []),
      metadata: parseMetadata(args.metadata),
      checksumSha256: parseChecksum(args.checksumSha256),
    };
    const ownerId = await this.ownerId();
    const tenantId = this.scope.tenantId;
    const id = randomUUID();
    const asset = await this.scope.run(
      async (manager) => {
        const assets = new AssetRepository(manager);
        const created = await assets.insertWithinQuota(
          { ...values, id, tenantId, ownerId },
          limits.quotaBytes,
          prepareEvent({
            type: EventType.ASSET_CREATED,
            payload: {
              assetId: id,
              name: values.name,
              contentType: values.contentType,
              sizeBytes: values.sizeBytes,
              ownerId,
            },
          }),
        );
        if (!created) {
          throw new QuotaExceededError(limits.quotaBytes, await assets.usedBytes(tenantId));
        }
        return created;
      },
      { lockTenant: QUOTA_LOCK },
    );
    const { url, expiresAt } = this.services.urls.upload(keyOf(asset));
    return { asset, uploadUrl: url, expiresAt };
  }

  async complete(rawId: string): Promise<AssetEntity> {
    const id = parseId(rawId);
    const asset = await this.scope.lookup((manager) => new AssetRepository(manager).findById(id));
    if (!asset) throw new NotFoundError('Asset');
    assertMayChange(this.request, asset);
    if (asset.status === 'READY') return asset;
    if (asset.status === 'DELETED') throw new ConflictError('This asset is deleted');

    // Read back what the store holds, outside any transaction: the bytes of a blob never
    // change once written, so the row is locked only for the short update below.
    const stored = await this.digestOf(keyOf(asset));
    if (!stored) throw new ConflictError('No bytes were uploaded for this asset yet');
    const declared = asset.checksumSha256;
    if (stored.sizeBytes !== asset.sizeBytes || (declared && stored.sha256 !== declared)) {
      await this.services.store.delete(keyOf(asset));
      throw new ValidationError('The uploaded bytes differ from the declared size or checksum');
    }

    return this.scope.run(async (manager) => {
      const assets = new AssetRepository(manager);
      const current = await assets.lockById(id);
      if (!current) throw new NotFoundError('Asset');
      if (current.status === 'READY') return current;
      if (current.status === 'DELETED') throw new ConflictError('This asset is deleted');
      return assets.markReady(
        current,
        stored.sha256,
        prepareEvent({
          type: EventType.ASSET_COMPLETED,
          payload: { assetId: id, sizeBytes: current.sizeBytes, checksumSha256: stored.sha256 },
        }),
      );
    });
  }

  /** Users own what they upload; an API key's uploads belong to the user who created it. */
  private ownerId(): Promise<string> {
    const principal = this.request.principal;
    if (principal?.kind === 'apiKey') return this.services.apiKeyOwners.ownerOf(this.request);
    if (principal?.kind === 'user') return Promise.resolve(principal.id);
    throw new Error('createAssetUpload reached without a principal');
  }

  private async digestOf(key: BlobKey): Promise<{ sizeBytes: number; sha256: string } | null> {
    const stream = await this.services.store.read(key);
    if (!stream) return null;
    const hash = createHash('sha256');
    let sizeBytes = 0;
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      sizeBytes += chunk.length;
      hash.update(chunk);
    }
    return { sizeBytes, sha256: hash.digest('hex') };
  }
}

export function keyOf(asset: AssetEntity): BlobKey {
  return { tenantId: asset.tenantId, assetId: asset.id };
}
