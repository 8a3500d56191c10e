import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { anonymousContext, runWithContext } from '../platform/context/request-context';
import { tenantScope } from '../platform/db/scope';
import { appendEvent } from '../platform/events/append-event';
import { EventType } from '../platform/events/event-types';

/**
 * Appends `count` events to a tenant's journal the way every service does (as a service's
 * role, in tenant transactions of up to 50): a burst no request rate limits.
 */
export async function appendEvents(app: DataSource, tenantId: string, count: number) {
  for (let done = 0; done < count; done += 50) {
    await runWithContext({ ...anonymousContext(randomUUID()), tenantId }, () =>
      tenantScope(app, tenantId).run(async (manager) => {
        for (let i = done; i < Math.min(count, done + 50); i += 1) {
          await appendEvent(manager, {
            type: EventType.TENANT_UPDATED,
            payload: { n: i },
            actor: { kind: 'system', id: null },
          });
        }
      }),
    );
  }
}
