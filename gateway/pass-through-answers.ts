import type { IncomingMessage } from 'node:http';
import { getVariableValues } from 'graphql';
import { Counter, type Registry } from 'prom-client';
import { DomainError } from '../platform/errors/domain-errors';
import { ANSWERED_AS_JSON } from '../platform/graphql/apollo-http';
import type { OperationRecorder } from '../platform/graphql/metrics-plugin';
import { tracingEnabled } from '../platform/observability/tracing';
import type { FederatedGateway } from './federation/federated-gateway';
import { PlainDataAnswer, type SubgraphResult } from './federation/subgraph-client';
import type { GatewayContext } from './gateway-context';
import { checkOperation, type OperationChecks } from './policies/operation-access';
import { asGraphQLError } from './security/limits';

/**
 * What the pass-through path did with a request: answered it (`answer`, for the caller to
 * write as Apollo would), or handed it on to Apollo with the checks made and the fetch sent
 * already (`context`); undefined when the request is not for it, with nothing done.
 */
export type PassThroughOutcome = { answer: Buffer } | { context: GatewayContext } | undefined;

export interface PassThroughDeps {
  gateway: FederatedGateway<GatewayContext>;
  checks: OperationChecks;
  record: OperationRecorder;
  registry: Registry;
}

/**
 * The production path's short way for the commonest request: a query planned as one fetch
 * whose answer is the client's answer as it is ({@link passThroughFetch}). It makes the same
 * checks Apollo's plugin makes (cost, tenant and role, limits and usage, field policies), in
 * the same order, sends the same signed fetch, and writes the subgraph's answer unparsed: no Apollo
 * pipeline, no plan walk, no parse, shape and serialisation of the answer.
 *
 * Anything else takes Apollo's path: a GET, a persisted query, an accept other than JSON,
 * tracing on, a document this gateway has not validated and run yet, variables that do not
 * coerce. Once it has begun (checks made, fetch sent), whatever is not data alone (a refusal,
 * a failed fetch, an answer with errors) is handed to Apollo with what was done, so Apollo
 * answers and masks it as its own and nothing is checked, spent or sent twice.
 */
export function passThroughAnswers({ gateway, checks, record, registry }: PassThroughDeps) {
  const taken = new Counter({
    name: 'tessera_gateway_pass_through_total',
    help: "Queries the pass-through path took, by outcome: answered (with the subgraph's answer as it is) or handed_on (to Apollo, with the checks made and the fetch sent: a refusal, an error).",
    labelNames: ['outcome'],
    registers: [registry],
  });
  const answered = taken.labels({ outcome: 'answered' });
  const handedOn = taken.labels({ outcome: 'handed_on' });
  return async (
    req: IncomingMessage,
    body: unknown,
    context: GatewayContext,
  ): Promise<PassThroughOutcome> => {
    if (!forPassThrough(req)) return undefined;
    const request = plainQuery(body);
    if (!request) return undefined;
    const found = gateway.passThroughOperation(request.query, request.operationName);
    if (!found) return undefined;
    const started = process.hrtime.bigint();
    const variables = request.variables ?? {};
    const { operation, document, fetch } = found;
    // Apollo's executor reports variables that do not coerce: it is the one to answer.
    if (
      getVariableValues(gateway.apiSchema, operation.variableDefinitions ?? [], variables).errors
    ) {
      return undefined;
    }
    try {
      await checkOperation(operation, document, gateway.apiSchema, context, variables, checks);
    } catch (error) {
      const refusal = error instanceof DomainError ? asGraphQLError(error) : (error as Error);
      handedOn.inc();
      return { context: { ...context, accessRefusal: refusal } };
    }
    let result: Promise<SubgraphResult>;
    try {
      const answer = await gateway.fetchPassThrough(found, variables, context);
      if (answer instanceof PlainDataAnswer) {
        const seconds = Number(process.hrtime.bigint() - started) / 1e9;
        record({ type: operation.operation, name: operation.name?.value }, 'ok', seconds);
        answered.inc();
        return { answer: Buffer.from(answer.text, 'utf8') };
      }
      result = Promise.resolve(answer);
    } catch (error) {
      result = Promise.reject(error instanceof Error ? error : new Error(String(error)));
      result.catch(() => undefined); // consumed by the executor, below
    }
    handedOn.inc();
    return {
      context: { ...context, accessChecked: true, prefetched: { fetch, result: () => result } },
    };
  };
}

/** A JSON POST answered as JSON, with no span to record each phase of. */
function forPassThrough(req: IncomingMessage): boolean {
  const { accept } = req.headers;
  return (
    req.method === 'POST' &&
    /^application\/json/i.test(req.headers['content-type'] ?? '') &&
    (accept === undefined || ANSWERED_AS_JSON.has(accept)) &&
    !tracingEnabled()
  );
}

interface PlainQuery {
  query: string;
  operationName?: string | null;
  variables?: Record<string, unknown> | null;
}

const PLAIN_QUERY_MEMBERS = new Set(['query', 'operationName', 'variables']);

/** `{ query, operationName?, variables? }` and nothing else (no persisted query, no extensions). */
function plainQuery(body: unknown): PlainQuery | undefined {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return undefined;
  const request = body as Record<string, unknown>;
  for (const member in request) if (!PLAIN_QUERY_MEMBERS.has(member)) return undefined;
  const { query, operationName, variables } = request;
  if (typeof query !== 'string') return undefined;
  if (operationName !== undefined && operationName !== null && typeof operationName !== 'string') {
    return undefined;
  }
  if (
    variables !== undefined &&
    variables !== null &&
    (typeof variables !== 'object' || Array.isArray(variables))
  ) {
    return undefined;
  }
  return request as unknown as PlainQuery;
}
