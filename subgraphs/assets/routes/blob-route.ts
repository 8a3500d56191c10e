import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import type { DataSource } from 'typeorm';
import { tenantScope } from '../../../platform/db/scope';
import {
  DomainError,
  ForbiddenError,
  NotFoundError,
  TenantSuspendedError,
} from '../../../platform/errors/domain-errors';
import { sendGraphQLError, sendJson } from '../../../platform/http/respond';
import { type RequestHandler } from '../../../platform/http/service-server';
import type { TenantStatuses } from '../../../platform/contracts/tenancy/tenant-status-cache';
import type { AssetEntity } from '../entities/asset.entity';
import { AssetRepository } from '../repositories/asset.repository';
import { BLOB_PATH } from '../../../platform/contracts/assets/blob-path';
import type { BlobAction, BlobUrls } from '../services/blob-urls';
import type { BlobKey, BlobStore } from '../storage/blob-store';
import { BlobStoreError } from '../storage/s3-errors';
import { serveDownload } from './download.route';
import { receiveUpload } from './upload.route';

export interface BlobRouteDeps {
  dataSource: DataSource;
  store: BlobStore;
  urls: BlobUrls;
  tenantStatuses: Pick<TenantStatuses, 'statusOf'>;
  logger: Logger;
}

/** What the upload and download handlers get for one request. */
export interface BlobRequest {
  key: BlobKey;
  /** The asset row, read in the key's tenant (row-level security applies). */
  findAsset(): Promise<AssetEntity | null>;
  store: BlobStore;
  /** The URL's expiry, in Unix seconds. */
  expires: number;
  log: Logger;
}

const ACTIONS: Partial<Record<string, BlobAction>> = {
  PUT: 'upload',
  GET: 'download',
  HEAD: 'download',
};

/**
 * `/blobs/<tenant>/<asset>`: the signed upload (PUT) and download (GET, HEAD) URLs. These
 * requests do not come through the gateway: the signature in the URL is the credential, and
 * the tenant and asset it names are the only ones the request can touch, and only while that
 * tenant is live and not suspended (403 TENANT_SUSPENDED). Any origin may use
 * them (CORS `*`): they carry no cookie, so there is no ambient authority to protect.
 */
export function blobRoute(deps: BlobRouteDeps): RequestHandler {
  return async (req, res) => {
    const requestId = randomUUID();
    res.setHeader('x-request-id', requestId);
    res.setHeader('access-control-allow-origin', '*');
    res.setHeader(
      'access-control-expose-headers',
      'content-length, content-range, content-disposition, etag, x-request-id',
    );
    try {
      await handle(deps, req, res, requestId);
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      // The client reads only SERVICE_UNAVAILABLE; the operator needs which call and why.
      if (error instanceof BlobStoreError) {
        deps.logger.warn({ err: error, requestId }, 'blob store call failed');
      }
      if (res.headersSent) {
        res.destroy();
        return;
      }
      // An answer before the body was read: the connection cannot be reused.
      if (!req.complete) res.setHeader('connection', 'close');
      sendGraphQLError(res, error, requestId);
    }
  };
}

async function handle(
  deps: BlobRouteDeps,
  req: IncomingMessage,
  res: ServerResponse,
  requestId: string,
): Promise<void> {
  const target = req.url ?? '/';
  const queryStart = target.indexOf('?');
  const path = queryStart < 0 ? target : target.slice(0, queryStart);
  const query = new URLSearchParams(queryStart < 0 ? '' : target.slice(queryStart + 1));
  const match = BLOB_PATH.exec(path);

  if (req.method === 'OPTIONS') {
    res.writeHead(204, {
      'access-control-allow-methods': 'GET, HEAD, PUT',
      'access-control-allow-headers':
        'content-type, content-digest, range, if-range, if-none-match',
      'access-control-max-age': '600',
    });
    res.end();
    return;
  }
  const action = ACTIONS[req.method ?? ''];
  if (!action) {
    req.resume();
    return sendJson(res, 405, { error: 'use PUT, GET or HEAD' }, { allow: 'GET, HEAD, PUT' });
  }
  if (!match) throw new NotFoundError('Blob');
  const key: BlobKey = { tenantId: match[1]!, assetId: match[2]! };
  const log = deps.logger.child({ requestId, tenantId: key.tenantId, assetId: key.assetId });

  const check = deps.urls.verify(action, key, query);
  if (!check.ok) {
    log.info({ action, reason: check.reason }, 'blob URL refused');
    throw new ForbiddenError(
      check.reason === 'expired' ? 'This URL has expired' : 'This URL is not valid',
    );
  }
  // A URL signed before its tenant was suspended (or deleted) must not outlive the change:
  // checked before the asset is read or a byte of the body is.
  const status = await deps.tenantStatuses.statusOf(key.tenantId);
  if (status === 'SUSPENDED') {
    log.info({ action }, 'blob URL of a suspended tenant refused');
    throw new TenantSuspendedError();
  }
  if (status === null) throw new ForbiddenError('This URL is not valid');
  const request: BlobRequest = {
    key,
    findAsset: () =>
      tenantScope(deps.dataSource, key.tenantId).lookup((manager) =>
        new AssetRepository(manager).findById(key.assetId),
      ),
    store: deps.store,
    expires: Number(query.get('expires')),
    log,
  };
  if (action === 'upload') await receiveUpload(request, req, res);
  else await serveDownload(request, req, res);
}
