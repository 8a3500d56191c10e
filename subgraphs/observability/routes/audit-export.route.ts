import { platformScope } from '../../../platform/db/scope';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import type { DataSource } from 'typeorm';
import {
  ForbiddenError,
  NotFoundError,
  type DomainError,
} from '../../../platform/errors/domain-errors';
import { sendGraphQLError } from '../../../platform/http/respond';
import { type RequestHandler } from '../../../platform/http/service-server';
import { AUDIT_EXPORT_PATH } from '../../../platform/contracts/observability/audit-export-path';
import {
  PLATFORM_CHAIN,
  type AuditExportGrant,
  type AuditExportUrls,
} from '../audit/audit-export-urls';
import { AuditTrailRepository, type AuditTrailRow } from '../repositories/audit-trail.repository';

/** Rows per read: the export streams page by page, never holding a whole range in memory. */
const EXPORT_PAGE = 500;

/**
 * `GET /audit-exports/<chain>?…` (signed by the auditExport query): the chain's entries in the
 * URL's range as NDJSON, oldest first, one short transaction per page, written with the
 * socket's backpressure. A client that goes away stops the reads.
 */
export function auditExportRoute(
  dataSource: DataSource,
  urls: AuditExportUrls,
  logger: Logger,
): RequestHandler {
  return async (req: IncomingMessage, res: ServerResponse) => {
    const requestId = randomUUID();
    req.resume();
    const target = new URL(req.url ?? '/', 'http://local');
    const chain = AUDIT_EXPORT_PATH.exec((req.url ?? '/').split('?')[0]!)?.[1];
    const refuse = (error: DomainError) =>
      sendGraphQLError(res, error, requestId, req.headers.accept);
    if (!chain || req.method !== 'GET') return refuse(new NotFoundError('Audit export'));
    const check = urls.verify(chain, target.searchParams);
    if (!check.ok) {
      return refuse(
        new ForbiddenError(
          check.reason === 'expired' ? 'This URL has expired' : 'This URL is not valid',
        ),
      );
    }
    res.writeHead(200, {
      'content-type': 'application/x-ndjson; charset=utf-8',
      'content-disposition': `attachment; filename="audit-${chain}.ndjson"`,
      'cache-control': 'no-store',
      'x-request-id': requestId,
    });
    try {
      await streamRows(dataSource, check.grant, res);
      res.end();
    } catch (error) {
      logger.warn({ err: error, requestId }, 'audit export failed mid-stream');
      res.destroy();
    }
  };
}

async function streamRows(
  dataSource: DataSource,
  grant: AuditExportGrant,
  res: ServerResponse,
): Promise<void> {
  let after: string | null = null;
  for (;;) {
    const rows: AuditTrailRow[] = await platformScope(dataSource).run((manager) =>
      new AuditTrailRepository(manager).exportPage({
        tenantId: grant.chain === PLATFORM_CHAIN ? null : grant.chain,
        since: grant.from,
        until: grant.to,
        afterPosition: after,
        limit: EXPORT_PAGE,
      }),
    );
    for (const row of rows) {
      if (res.destroyed) return;
      if (!res.write(`${JSON.stringify(row)}\n`)) await drained(res);
    }
    if (rows.length < EXPORT_PAGE) return;
    after = rows[rows.length - 1]!.position;
  }
}

/** Until the socket takes more, or closes (a client gone mid-export never drains). */
function drained(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}
