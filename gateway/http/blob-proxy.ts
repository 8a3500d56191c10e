import { request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { Logger } from 'pino';
import { BLOB_PATH } from '../../platform/contracts/assets/blob-path';
import { NotFoundError } from '../../platform/errors/domain-errors';
import { sendGraphQLError, sendJson } from '../../platform/http/respond';
import { type RequestHandler } from '../../platform/http/service-server';
import { REQUEST_ID_HEADER, requestIdFor } from './request-context';

/** Request headers a blob upload or download needs; nothing else reaches the assets process. */
const FORWARDED_REQUEST_HEADERS = [
  'content-type',
  'content-length',
  'content-digest',
  'range',
  'if-none-match',
  'if-range',
  'x-request-id',
] as const;
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'upgrade']);

/**
 * Serves `/blobs/…` (the assets process's signed upload and download URLs) on the gateway's
 * public port, streaming both ways without buffering, so a deployment needs to publish only
 * the gateway. The URL's own signature is the authorization; the assets process checks it.
 * Only a path of the blob route's own shape is forwarded: anything else (`/blobs/../metrics`,
 * `%2e%2e`, `%2f`, double encoding, backslashes) would reach other routes of the assets
 * process once decoded or normalised, so it is 404 here, before any upstream request.
 */
export function blobProxy(assetsUrl: string, logger: Logger): RequestHandler {
  return pathProxy(assetsUrl, logger, { path: BLOB_PATH, what: 'Blob', service: 'assets' });
}

/**
 * The same streaming proxy for another process's signed URLs (audit exports): only a raw path
 * `path` matches is forwarded, to `serviceUrl`'s origin.
 */
export function pathProxy(
  serviceUrl: string,
  logger: Logger,
  options: { path: RegExp; what: string; service: string },
): RequestHandler {
  const target = new URL(serviceUrl);
  const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
  return (req: IncomingMessage, res: ServerResponse) =>
    new Promise<void>((resolve) => {
      const upstreamPath = forwardedPath(req.url, options.path);
      if (upstreamPath === undefined) {
        const requestId = requestIdFor(req);
        req.resume();
        res.setHeader(REQUEST_ID_HEADER, requestId);
        sendGraphQLError(res, new NotFoundError(options.what), requestId, req.headers.accept);
        resolve();
        return;
      }
      const headers: Record<string, string> = {};
      for (const name of FORWARDED_REQUEST_HEADERS) {
        const value = req.headers[name];
        if (typeof value === 'string') headers[name] = value;
      }
      const upstream = send(
        new URL(upstreamPath, target),
        { method: req.method, headers },
        (answer) => {
          const responseHeaders: Record<string, string | string[]> = {};
          for (const [name, value] of Object.entries(answer.headers)) {
            if (value !== undefined && !HOP_BY_HOP.has(name)) responseHeaders[name] = value;
          }
          res.writeHead(answer.statusCode ?? 502, responseHeaders);
          answer.pipe(res);
          answer.on('end', resolve);
          answer.on('error', () => {
            res.destroy();
            resolve();
          });
        },
      );
      upstream.on('error', (error) => {
        logger.warn({ err: error, service: options.service }, 'proxy: upstream unreachable');
        if (!res.headersSent) {
          sendJson(res, 502, {
            error: `${options.service} service unavailable`,
            code: 'SERVICE_UNAVAILABLE',
          });
        } else {
          res.destroy();
        }
        resolve();
      });
      req.on('aborted', () => upstream.destroy());
      req.pipe(upstream);
    });
}

/** The path and query to forward, or undefined when the path is not one the proxy serves. */
function forwardedPath(url: string | undefined, pattern: RegExp): string | undefined {
  const target = url ?? '/';
  const queryStart = target.indexOf('?');
  const path = queryStart < 0 ? target : target.slice(0, queryStart);
  return pattern.test(path) ? target : undefined;
}
