import { Counter, Gauge, type Registry } from 'prom-client';

export interface SubscriptionMetrics {
  connections: Gauge;
  subscriptions: Gauge;
  delivered: Counter;
  dropped: Counter<'reason'>;
  closed: Counter<'code'>;
}

export function createSubscriptionMetrics(registry: Registry): SubscriptionMetrics {
  return {
    connections: new Gauge({
      name: 'tessera_ws_connections',
      help: 'Open graphql-ws connections on this gateway pod.',
      registers: [registry],
    }),
    subscriptions: new Gauge({
      name: 'tessera_subscriptions_active',
      help: 'Subscriptions on this gateway pod listening for events (counted once their channel is subscribed).',
      registers: [registry],
    }),
    delivered: new Counter({
      name: 'tessera_subscription_events_delivered_total',
      help: 'Events sent to subscribers.',
      registers: [registry],
    }),
    dropped: new Counter({
      name: 'tessera_subscription_events_dropped_total',
      help: 'Subscriptions ended by the gateway, by reason (slow_consumer, forbidden).',
      labelNames: ['reason'],
      registers: [registry],
    }),
    closed: new Counter({
      name: 'tessera_ws_closed_by_server_total',
      help: 'Sockets the gateway closed, by close code.',
      labelNames: ['code'],
      registers: [registry],
    }),
  };
}
