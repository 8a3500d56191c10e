import type { IncomingMessage, ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import {
  ConflictError,
  DomainError,
  NotFoundError,
  PayloadTooLargeError,
  ValidationError,
} from '../../../platform/errors/domain-errors';
import { sendJson } from '../../../platform/http/respond';
import { BlobExistsError } from '../storage/blob-store';
import type { BlobRequest } from './blob-route';
import { verifiedBody } from './verified-body';

/**
 * PUT of an asset's bytes: exactly the declared size, streamed to the store through a running
 * SHA-256 (checked against the checksum declared at createAssetUpload or sent as
 * `Content-Digest: sha-256=:<base64>:`). Whatever goes wrong, the store keeps nothing.
 */
export async function receiveUpload(
  request: BlobRequest,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const asset = await request.findAsset();
  if (!asset) throw new NotFoundError('Asset');
  if (asset.status !== 'PENDING') throw new ConflictError('This asset takes no upload');

  const length = contentLength(req);
  if (length !== null && length > asset.sizeBytes) throw new PayloadTooLargeError(asset.sizeBytes);
  if (length !== null && length < asset.sizeBytes) {
    throw new ValidationError(`The body must be the ${asset.sizeBytes} bytes declared`, {
      sizeBytes: asset.sizeBytes,
    });
  }
  const digestHeader = req.headers['content-digest'];
  const digest = contentDigest(
    Array.isArray(digestHeader) ? digestHeader.join(', ') : digestHeader,
  );
  if (digest && asset.checksumSha256 && digest !== asset.checksumSha256) {
    throw new ValidationError('Content-Digest differs from the checksum declared for the asset');
  }

  const verified: { sha256?: string } = {};
  const body = Readable.from(
    verifiedBody(
      req,
      { sizeBytes: asset.sizeBytes, sha256: asset.checksumSha256 ?? digest },
      verified,
    ),
  );
  try {
    await request.store.write(request.key, body, asset.sizeBytes);
  } catch (error) {
    if (error instanceof BlobExistsError) {
      throw new ConflictError('The bytes of this asset were uploaded already');
    }
    if (error instanceof DomainError) {
      request.log.info({ code: error.code }, 'upload refused');
      throw error;
    }
    if (req.destroyed || res.destroyed) {
      request.log.info('upload ended by the client');
      return;
    }
    throw error;
  }
  request.log.info({ sizeBytes: asset.sizeBytes }, 'upload stored');
  sendJson(
    res,
    200,
    { id: asset.id, sizeBytes: asset.sizeBytes, checksumSha256: verified.sha256 },
    { etag: `"${verified.sha256}"` },
  );
}

function contentLength(req: IncomingMessage): number | null {
  const header = req.headers['content-length'];
  if (header === undefined) return null;
  if (!/^\d{1,15}$/.test(header)) throw new ValidationError('Content-Length is not a number');
  return Number(header);
}

/** `Content-Digest: sha-256=:<base64>:` (RFC 9530) as hex; other algorithms are ignored. */
function contentDigest(header: string | undefined): string | null {
  if (header === undefined) return null;
  const match = /(?:^|,)\s*sha-256=:([A-Za-z0-9+/]{43}=):\s*(?:,|$)/.exec(header);
  if (!match) {
    if (/sha-256=/i.test(header)) throw new ValidationError('Content-Digest sha-256 is malformed');
    return null;
  }
  return Buffer.from(match[1]!, 'base64').toString('hex');
}
