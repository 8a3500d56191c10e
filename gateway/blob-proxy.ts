import { request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { Logger } from 'pino';
import { sendJson, type RequestHandler } from '../platform/http';

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
 */
export function blobProxy(assetsUrl: string, logger: Logger): RequestHandler {
  const target = new URL(assetsUrl);
  const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
  return (req: IncomingMessage, res: ServerResponse) =>
    new Promise<void>((resolve) => {
      const headers: Record<string, string> = {};
      for (const name of FORWARDED_REQUEST_HEADERS) {
        const value = req.headers[name];
        if (typeof value === 'string') headers[name] = value;
      }
      const upstream = send(
        new URL(req.url ?? '/', target),
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
        logger.warn({ err: error }, 'blob proxy: assets unreachable');
        if (!res.headersSent) {
          sendJson(res, 502, { error: 'assets service unavailable', code: 'SERVICE_UNAVAILABLE' });
        } else {
          res.destroy();
        }
        resolve();
      });
      req.on('aborted', () => upstream.destroy());
      req.pipe(upstream);
    });
}
