import {
  GraphQLError,
  Lexer,
  Source,
  TokenKind,
  type ASTVisitor,
  type ValidationContext,
  type ValidationRule,
} from 'graphql';
import { ValidationError, type DomainError } from '../../platform/errors/domain-errors';
import { measureOperation, type OperationMeasures } from './operation-measures';

/** The limit a refused operation broke, in `extensions.limit`. */
export type QueryLimitName = 'depth' | 'aliases' | 'directives' | 'tokens' | 'cost';

/** The limits a document is validated against; cost depends on variables (cost-limit.ts). */
export interface QueryLimits {
  maxDepth: number;
  maxAliases: number;
  maxDirectives: number;
}

/** A refused operation: 400 BAD_USER_INPUT with `extensions: { limit, max }`. */
export class QueryLimitError extends ValidationError {
  constructor(message: string, limit: QueryLimitName, max: number, actual?: number) {
    super(message, actual === undefined ? { limit, max } : { limit, max, actual });
  }
}

/**
 * A GraphQL error that carries a domain error, so the gateway's masking reports the domain
 * error's code and details (`limit`, `retryAfter`, ...) instead of Apollo's generic code,
 * with its HTTP status when Apollo answers it outside validation.
 */
export function asGraphQLError(
  error: DomainError,
  options: { nodes?: GraphQLError['nodes'] } = {},
) {
  return new GraphQLError(error.message, {
    nodes: options.nodes,
    originalError: error,
    extensions: { http: { status: error.httpStatus } },
  });
}

type ValidatedLimit = Exclude<QueryLimitName, 'tokens' | 'cost'>;

const MEASURED: { limit: ValidatedLimit; measure: keyof OperationMeasures; what: string }[] = [
  { limit: 'depth', measure: 'depth', what: 'Query depth' },
  { limit: 'aliases', measure: 'aliases', what: 'Aliases in the operation' },
  { limit: 'directives', measure: 'directives', what: 'Directives in the operation' },
];

/**
 * One graphql validation rule per limit that the document alone decides, for Apollo's
 * `validationRules`. Apollo caches a validated document, so a query string is measured once
 * however often it is sent.
 */
export function queryLimitRules(limits: QueryLimits): ValidationRule[] {
  const max: Record<ValidatedLimit, number> = {
    depth: limits.maxDepth,
    aliases: limits.maxAliases,
    directives: limits.maxDirectives,
  };
  return MEASURED.map(({ limit, measure, what }) => {
    const rule = (context: ValidationContext): ASTVisitor => ({
      OperationDefinition(operation) {
        const value = measureOperation(context.getSchema(), context.getDocument(), operation)[
          measure
        ];
        if (value <= max[limit]) return;
        const actual = Math.min(Math.round(value), Number.MAX_SAFE_INTEGER);
        context.reportError(
          asGraphQLError(
            new QueryLimitError(
              `${what} is ${actual}, over the limit of ${max[limit]}`,
              limit,
              max[limit],
              actual,
            ),
            { nodes: [operation] },
          ),
        );
      },
    });
    Object.defineProperty(rule, 'name', { value: `${limit}LimitRule` });
    return rule;
  });
}

/**
 * Refuses a query of more than `maxTokens` lexical tokens before Apollo parses it, counting
 * as graphql's parser does (comments excluded) and stopping one past the limit, so a huge
 * query costs no more than the limit to reject. A syntax error stops the count; Apollo's
 * parser reports it.
 */
export function assertTokenLimit(query: string | undefined, maxTokens: number): void {
  if (query === undefined) return;
  const lexer = new Lexer(new Source(query));
  let count = 0;
  try {
    while (lexer.advance().kind !== TokenKind.EOF) {
      count += 1;
      if (count > maxTokens) {
        throw new QueryLimitError(
          `The query has more than ${maxTokens} tokens`,
          'tokens',
          maxTokens,
        );
      }
    }
  } catch (error) {
    if (error instanceof QueryLimitError) throw error;
    // A GraphQLSyntaxError: left for the parser to report with its location.
  }
}

/** The query text of a request as Apollo will read it: the JSON body's, or GET's `?query=`. */
export function queryOfRequest(method: string | undefined, url: string | undefined, body: unknown) {
  if (method === 'GET') {
    const search = url?.includes('?') ? url.slice(url.indexOf('?')) : '';
    return new URLSearchParams(search).get('query') ?? undefined;
  }
  if (body && typeof body === 'object' && !Array.isArray(body)) {
    const query = (body as Record<string, unknown>).query;
    return typeof query === 'string' ? query : undefined;
  }
  return undefined;
}
