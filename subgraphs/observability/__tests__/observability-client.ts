import { randomUUID } from 'node:crypto';
import { postGraphQL, type GraphQLResponse } from '../../../platform/testing/graphql-client';

export { eventually } from '../../../platform/testing/eventually';

/** Helpers shared by the observability tests: one gateway URL, coded answers. */
export function gqlClient(gatewayUrl: () => string) {
  return function gql<T = Record<string, unknown>>(
    query: string,
    headers: Record<string, string> = {},
    variables: Record<string, unknown> = {},
  ): Promise<GraphQLResponse<T>> {
    return postGraphQL<T>(gatewayUrl(), { query, variables }, headers);
  };
}

export function codeOf(response: GraphQLResponse<unknown>): unknown {
  return response.body.errors?.[0]?.extensions?.code;
}

export function dataOf<T>(response: GraphQLResponse<T>): T {
  if (!response.body.data || response.body.errors) {
    throw new Error(`unexpected answer: ${response.text}`);
  }
  return response.body.data;
}

/** The fields every alert-rule test reads back. */
export const RULE_FIELDS =
  'id name metric comparator threshold forSeconds severity channels enabled disabledReason';

/** A valid AlertRuleInput named `<prefix>-<random>`, changed by `overrides`. */
export function ruleInput(prefix: string, overrides: Record<string, unknown> = {}) {
  return {
    name: `${prefix}-${randomUUID().slice(0, 8)}`,
    metric: 'tessera_journal_events_total',
    comparator: '>',
    threshold: 60,
    forSeconds: 300,
    severity: 'WARNING',
    channels: ['log'],
    ...overrides,
  };
}
