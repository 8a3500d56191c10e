import type { ServerOptions } from 'graphql-ws';
import type { Extra } from 'graphql-ws/use/ws';
import type { WebSocket } from 'ws';
import { CloseCode } from 'graphql-ws';
import type { RequestContext } from '../../platform/context/request-context';
import { DomainError } from '../../platform/errors/domain-errors';
import type { GatewayAuth } from '../auth/setup';
import { authorizeTenant } from '../auth/authorize-tenant';
import type { EdgeRateLimits } from '../security/rate-limits';
import type { TrustProxy } from '../security/trust-proxy';
import { closeCodeOf } from './close-codes';
import { authenticateConnection, type ConnectionParams } from './connection-auth';
import type { ConnectionWatch, WatchedConnection } from './connection-watch';
import type { SubscriptionMetrics } from './metrics';

/** The caller a socket authenticated as, and its entry in the connection watch. */
export interface ConnectionState {
  request: RequestContext;
  watched: WatchedConnection;
}

export type SocketServerOptions = ServerOptions<
  ConnectionParams,
  Extra & Partial<{ state?: ConnectionState }>
>;

export interface ConnectionHooksOptions {
  auth: GatewayAuth;
  rateLimits?: EdgeRateLimits;
  trustProxy: TrustProxy;
  watch: ConnectionWatch;
  states: WeakMap<WebSocket, ConnectionState>;
  metrics: SubscriptionMetrics;
  close: (socket: WebSocket, code: number, reason: string) => void;
}

/**
 * A connection authenticates in its `connectionParams` exactly as an HTTP request does, and is
 * watched from then on (connection-watch.ts) until it closes.
 */
export function connectionHooks(
  options: ConnectionHooksOptions,
): Pick<SocketServerOptions, 'onConnect' | 'onClose'> {
  const { auth, watch, states, metrics, close } = options;
  return {
    onConnect: async (ctx) => {
      const socket = ctx.extra.socket;
      try {
        const { request, expiresAt, keyCreator } = await authenticateConnection(
          ctx.extra.request,
          ctx.connectionParams,
          auth.authenticators,
          { trustProxy: options.trustProxy },
        );
        await options.rateLimits?.caller(request);
        if (request.tenantId) await authorizeTenant(request, auth.roles);
        const watched: WatchedConnection = {
          request,
          expiresAt,
          keyCreator,
          end: (reason) => close(socket, CloseCode.Forbidden, reason),
        };
        states.set(socket, { request, watched });
        watch.add(watched);
        metrics.connections.inc();
        return true;
      } catch (error) {
        if (!(error instanceof DomainError)) throw error;
        close(socket, closeCodeOf(error), error.message.slice(0, 120));
        return false;
      } finally {
        // The upgrade request (headers, parser state) is read once, to authenticate: an
        // open socket need not keep it alive for its whole life.
        Reflect.deleteProperty(ctx.extra, 'request');
      }
    },
    onClose: (ctx) => {
      const state = states.get(ctx.extra.socket);
      if (!state) return;
      watch.delete(state.watched);
      states.delete(ctx.extra.socket);
      metrics.connections.dec();
    },
  };
}
