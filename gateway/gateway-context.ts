import type { RequestContext } from '../platform/context/request-context';
import type { Admission } from './auth/admission';
import type { PassThroughContext } from './federation/pass-through';

/** Apollo Server's context for a gateway operation. */
export interface GatewayContext extends Record<string, unknown>, PassThroughContext {
  request: RequestContext;
  /** Set when the gateway runs an operation to deliver a subscription's event. */
  delivery?: boolean;
  /** Set once the operation's cost and access were checked (graphql-ws checks before Apollo). */
  accessChecked?: boolean;
  /** The refusal of a check made already (by the pass-through path), for Apollo to answer. */
  accessRefusal?: Error;
  /**
   * Filled in with the tenant whose usage the operation counts in, once the tenant admitted it
   * (an object of its own: Apollo runs each operation on a shallow copy of the context).
   */
  usage?: { tenantId?: string };
  /** What the HTTP edge learnt admitting the request (absent for graphql-ws operations). */
  admission?: Pick<Admission, 'tenantGeneration' | 'tenantSpent'>;
}
