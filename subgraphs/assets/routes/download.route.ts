import type { IncomingMessage, ServerResponse } from 'node:http';
import { pipeline } from 'node:stream/promises';
import { DomainError, NotFoundError } from '../../../platform/errors/domain-errors';
import { ErrorCode } from '../../../platform/errors/codes';
import type { BlobRequest } from './blob-route';
import { contentDisposition } from './content-disposition';
import { parseRange } from './http-range';

/**
 * GET or HEAD of a READY asset's bytes, as an attachment under its display name, with byte
 * ranges (206, or 416 past the end). The bytes are served with their declared type but
 * `nosniff` and a sandboxing CSP, so an uploaded HTML or SVG file cannot run script on this
 * origin even when opened directly.
 */
export async function serveDownload(
  request: BlobRequest,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  req.resume();
  const asset = await request.findAsset();
  if (!asset || asset.status !== 'READY' || !asset.checksumSha256) {
    throw new NotFoundError('Asset');
  }
  const size = asset.sizeBytes;
  const etag = `"${asset.checksumSha256}"`;
  const headers: Record<string, string> = {
    'content-type': asset.contentType,
    'content-disposition': contentDisposition(asset.name),
    'accept-ranges': 'bytes',
    etag,
    'cache-control': `private, max-age=${Math.max(0, request.expires - Math.floor(Date.now() / 1000))}`,
    'x-content-type-options': 'nosniff',
    'content-security-policy': "default-src 'none'; sandbox",
    'cross-origin-resource-policy': 'cross-origin',
  };
  if (req.headers['if-none-match'] === etag) {
    res.writeHead(304, headers);
    res.end();
    return;
  }
  // If-Range with another version's tag asks for the whole blob instead of a piece.
  const ifRange = req.headers['if-range'];
  const rangeHeader = ifRange === undefined || ifRange === etag ? req.headers.range : undefined;
  const range = parseRange(rangeHeader, size);
  if (range.kind === 'unsatisfiable') {
    res.setHeader('content-range', `bytes */${size}`);
    throw new DomainError(ErrorCode.BAD_USER_INPUT, 'Range not satisfiable', 416, {
      sizeBytes: size,
    });
  }
  const partial = range.kind === 'partial' ? range.range : undefined;
  const stream = req.method === 'HEAD' ? null : await request.store.read(request.key, partial);
  if (req.method !== 'HEAD' && !stream) {
    request.log.error('asset is READY but its blob is missing');
    throw new NotFoundError('Asset');
  }
  if (partial) {
    headers['content-range'] = `bytes ${partial.start}-${partial.end}/${size}`;
    headers['content-length'] = String(partial.end - partial.start + 1);
  } else {
    headers['content-length'] = String(size);
  }
  res.writeHead(partial ? 206 : 200, headers);
  if (!stream) {
    res.end();
    return;
  }
  try {
    await pipeline(stream, res);
  } catch (error) {
    request.log.info({ err: error }, 'download ended early');
  }
}
