import type { IncomingMessage, ServerResponse } from 'node:http';
import { constantTimeEqual } from '../crypto/tokens';
import { REQUEST_ID_HEADER } from './raw-answer';
import { sendJson } from './respond';

/**
 * Who may read a process's `/metrics` (operation names, rates, tenants' traffic): by default
 * anyone on its main port. `port` serves it, with `/healthz` and `/readyz`, on a listener of
 * its own instead (a network Prometheus reaches and clients do not); `bearerToken` asks for
 * `Authorization: Bearer <token>` (Prometheus's scrape config sends it: `authorization:
 * { credentials: … }`).
 */
export interface MetricsAccess {
  port?: number;
  bearerToken?: string;
}

export function mayReadMetrics(req: IncomingMessage, access: MetricsAccess | undefined): boolean {
  if (access?.bearerToken === undefined) return true;
  const given = req.headers.authorization ?? '';
  return constantTimeEqual(given, `Bearer ${access.bearerToken}`);
}

/** 401, saying what to send, as a Bearer-protected resource answers. */
export function refuseMetrics(res: ServerResponse): void {
  sendJson(
    res,
    401,
    {
      errors: [
        {
          message: '/metrics needs Authorization: Bearer <metrics token>',
          extensions: { code: 'UNAUTHENTICATED', requestId: res.getHeader(REQUEST_ID_HEADER) },
        },
      ],
    },
    { 'www-authenticate': 'Bearer realm="metrics"' },
  );
}
