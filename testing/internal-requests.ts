import { randomUUID } from 'node:crypto';
import { anonymousContext, type RequestContext } from '../platform/context/request-context';
import { type ServiceName } from '../platform/context/service-keys';
import pino from 'pino';
import { InternalClient } from '../platform/internal-calls/client';
import { type InternalCall } from '../platform/internal-calls/contract';
import type { SubgraphName } from '../platform/paths';
import { postGraphQL, type GraphQLResponse } from './graphql-client';
import type { TestServiceKeys } from './service-keys';
import type { TestStack } from './stack';

export interface SignAs {
  /** The service whose key signs. */
  as: ServiceName;
  /** The context the request carries; an anonymous one by default. */
  context?: RequestContext;
  /** When it was signed (to test the window). */
  now?: number;
  nonce?: string;
}

/** The headers `sign.as` would send with `body` to `path` of `to`. */
export function signedHeaders(
  keys: TestServiceKeys,
  request: { to: ServiceName; path: string; body: string },
  sign: SignAs,
): Record<string, string> {
  const context = sign.context ?? anonymousContext(randomUUID());
  return {
    'content-type': 'application/json',
    'x-request-id': context.requestId,
    ...keys
      .signer(sign.as)
      .sign(
        { audience: request.to, method: 'POST', path: request.path, body: request.body },
        context,
        { now: sign.now, nonce: sign.nonce },
      ),
  };
}

/** POSTs `body` (JSON unless a string) to `path` of `to`, signed as `sign.as`. */
export function postSigned(
  stack: TestStack,
  to: ServiceName,
  path: string,
  body: unknown,
  sign: SignAs,
): Promise<Response> {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  return fetch(`${stack.url(to)}${path}`, {
    method: 'POST',
    headers: signedHeaders(stack.keys, { to, path, body: text }, sign),
    body: text,
  });
}

/**
 * POSTs `body` to an internal call's route as a process would: signed by the call's first
 * caller, to its first server, unless `options` says otherwise.
 */
export function postInternal(
  stack: TestStack,
  call: InternalCall,
  body: unknown,
  options: Partial<SignAs> & { to?: ServiceName } = {},
): Promise<Response> {
  return postSigned(stack, options.to ?? call.servedBy[0]!, call.path, body, {
    ...options,
    as: options.as ?? call.callers[0]!,
  });
}

/** A GraphQL request straight to a subgraph, signed as the gateway signs its fetches. */
export function postToSubgraph<TData = Record<string, unknown>>(
  stack: TestStack,
  subgraph: SubgraphName,
  request: { query: string; variables?: Record<string, unknown> },
  context: RequestContext,
): Promise<GraphQLResponse<TData>> {
  const body = JSON.stringify(request);
  return postGraphQL<TData>(
    `${stack.url(subgraph)}/graphql`,
    body,
    signedHeaders(stack.keys, { to: subgraph, path: '/graphql', body }, { as: 'gateway', context }),
  );
}

/** The `extensions.code` of a coded error answer read from a raw fetch Response. */
export async function refusalCode(response: Response): Promise<unknown> {
  const body = (await response.json()) as { errors?: { extensions?: { code?: unknown } }[] };
  return body.errors?.[0]?.extensions?.code;
}

/** The one internal-call client, signing as `as` with the stack's (or any) keys. */
export function internalClientAs(
  keys: TestServiceKeys,
  as: ServiceName,
  urls: Partial<Record<ServiceName, string>>,
): InternalClient {
  return new InternalClient({ signer: keys.signer(as), urls, logger: pino({ level: 'silent' }) });
}
