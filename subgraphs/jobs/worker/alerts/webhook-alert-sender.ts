import type { DataSource } from 'typeorm';
import type { AlertDispatchJob } from '../../../../platform/alerts';
import { withTenantTransaction } from '../../../../platform/db';
import type { AlertWebhookSender } from './alert-dispatch.processor';
import { PermanentDispatchError } from './alert-dispatch.processor';

/**
 * Webhook alerts. Pending: the endpoints of this checkout carry no signing secret yet, and a
 * webhook Tessera cannot sign is not sent; the channel fails for good (into the dead letters)
 * with a reason saying so, rather than posting something a receiver cannot verify.
 */
export function webhookAlertSender(_config: unknown, dataSource: DataSource): AlertWebhookSender {
  return {
    async send(notification: AlertDispatchJob, endpointId: string) {
      const rows = (await withTenantTransaction(dataSource, notification.tenantId, (manager) =>
        manager.query(`SELECT status FROM jobs.webhook_endpoints WHERE id = $1`, [endpointId]),
      )) as { status: string }[];
      if (rows.length === 0) {
        throw new PermanentDispatchError(`webhook endpoint ${endpointId} does not exist`);
      }
      throw new PermanentDispatchError(`webhook endpoint ${endpointId} cannot sign alerts yet`);
    },
  };
}
