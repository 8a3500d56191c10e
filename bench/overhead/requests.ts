import { randomUUID } from 'node:crypto';
import { anonymousContext, type RequestContext } from '../../platform/context/request-context';
import { CONTEXT_HEADER, encodeContext } from '../../platform/context/signed-request';
import { signedHeaders } from '../../testing/internal-requests';
import type { TestServiceKeys } from '../../testing/service-keys';
import type { WholeAnswer } from '../../platform/http/whole-answer';
import { send } from '../lib/http-client';
import type { Reader } from './readers';

/** One request of `reader`; resolves when it answered the full page, throws otherwise. */
export type ReadStep = (reader: Reader) => Promise<void>;

/** The page every query reads: a realistic list page, not a bulk export. */
export const PAGE_SIZE = 20;

/** The tenant's first page of assets; `owner` is the selection of each asset's owner, if any. */
export function assetsQuery(owner?: string): string {
  const ownerField = owner ? ` owner { ${owner} }` : '';
  return `{ assets(first: ${PAGE_SIZE}) { nodes { id name contentType sizeBytes${ownerField} } } }`;
}

/** Through the gateway, as a frontend sends it: the user's access token and X-Tenant-Id. */
export function viaGateway(gatewayUrl: string, query: string): ReadStep {
  const body = JSON.stringify({ query });
  return async (reader) => {
    const answer = await send(gatewayUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...reader.user.headers(reader.tenantId) },
      body,
    });
    expectFullPage(answer);
  };
}

/**
 * Straight to the assets subgraph, as the gateway sends it: the same query with a context
 * signed by the gateway's key for this body and route (a fresh nonce each time, as the
 * subgraph refuses a replay), carrying the reader's tenant and role.
 */
export function directToAssets(assetsUrl: string, keys: TestServiceKeys, query: string): ReadStep {
  const body = JSON.stringify({ query });
  return async (reader) => {
    const headers = signedHeaders(
      keys,
      { to: 'assets', path: '/graphql', body },
      { as: 'gateway', context: readerContext(reader) },
    );
    expectFullPage(await send(`${assetsUrl}/graphql`, { method: 'POST', headers, body }));
  };
}

/**
 * To a proxy that signs for the gateway: the same request with the reader's context encoded as
 * the gateway encodes it, and no signature (the proxy signs it afresh).
 */
export function unsignedTo(origin: string, query: string): ReadStep {
  const body = JSON.stringify({ query });
  return async (reader) => {
    const context = readerContext(reader);
    const headers = {
      'content-type': 'application/json',
      'x-request-id': context.requestId,
      [CONTEXT_HEADER]: encodeContext(context),
    };
    expectFullPage(await send(`${origin}/graphql`, { method: 'POST', headers, body }));
  };
}

/** The context the gateway signs for a reader's request: its tenant, user and role. */
function readerContext(reader: Reader): RequestContext {
  return {
    ...anonymousContext(randomUUID()),
    tenantId: reader.tenantId,
    principal: { kind: 'user', id: reader.user.id },
    role: 'VIEWER',
  };
}

function expectFullPage({ status, text }: WholeAnswer): void {
  if (status !== 200) throw new Error(`HTTP ${status}: ${text.slice(0, 300)}`);
  const payload = JSON.parse(text) as {
    data?: { assets?: { nodes?: unknown[] } };
    errors?: unknown[];
  };
  if (payload.errors?.length) throw new Error(`GraphQL errors: ${text.slice(0, 300)}`);
  const nodes = payload.data?.assets?.nodes?.length;
  if (nodes !== PAGE_SIZE) throw new Error(`expected ${PAGE_SIZE} assets, got ${String(nodes)}`);
}
