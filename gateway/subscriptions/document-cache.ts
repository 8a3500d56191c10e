import { LRUCache } from 'lru-cache';
import {
  GraphQLError,
  parse,
  validate,
  type DocumentNode,
  type GraphQLSchema,
  type ValidationRule,
} from 'graphql';
import { DomainError } from '../../platform/errors/domain-errors';
import { ErrorCode } from '../../platform/errors/codes';
import type { CountCacheLookup } from '../../platform/observability/cache-metrics';
import { toGraphQLError } from '../policies/access-plugin';

/** Documents kept per schema: enough for every query text a fleet of clients sends. */
const DEFAULT_MAX_DOCUMENTS = 1_000;

export type PreparedDocument = { document: DocumentNode } | { errors: readonly GraphQLError[] };

/**
 * Parsed and validated documents of the operations sent over graphql-ws, shared by every
 * subscription with the same query text, as Apollo Server does for HTTP: a thousand
 * subscribers of one query hold one document (with its tokens and locations) instead of a
 * thousand. It shares documents, not results: each operation still passes its own access
 * checks, variables and rate limits, and each event is rendered per subscriber. The cache is
 * kept per schema object, so a new supergraph never reuses a document validated against the
 * old one. Only valid documents are kept; a parse or validation failure is answered, coded,
 * every time, and cannot crowd valid documents out.
 */
export class DocumentCache {
  private readonly bySchema = new WeakMap<GraphQLSchema, LRUCache<string, DocumentNode>>();

  constructor(
    private readonly options: {
      validationRules: readonly ValidationRule[];
      maxTokens: number;
      maxDocuments?: number;
      /** Counts each read, as tessera_cache_lookups_total{cache="subscription_document"}. */
      countLookup?: CountCacheLookup;
    },
  ) {}

  prepare(schema: GraphQLSchema, query: string): PreparedDocument {
    const cache = this.cacheFor(schema);
    const cached = cache.get(query);
    this.options.countLookup?.(cached ? 'hit' : 'miss');
    if (cached) return { document: cached };
    let document: DocumentNode;
    try {
      document = parse(query, { maxTokens: this.options.maxTokens });
    } catch (error) {
      return { errors: [coded(error, ErrorCode.GRAPHQL_PARSE_FAILED)] };
    }
    const errors = validate(schema, document, this.options.validationRules);
    if (errors.length > 0) {
      // A query limit keeps its domain code and details, as on HTTP.
      return {
        errors: errors.map((error) =>
          error.originalError instanceof DomainError
            ? toGraphQLError(error.originalError)
            : coded(error, ErrorCode.GRAPHQL_VALIDATION_FAILED),
        ),
      };
    }
    cache.set(query, document);
    return { document };
  }

  /** Documents held for `schema` (for tests and metrics). */
  sizeFor(schema: GraphQLSchema): number {
    return this.bySchema.get(schema)?.size ?? 0;
  }

  private cacheFor(schema: GraphQLSchema): LRUCache<string, DocumentNode> {
    let cache = this.bySchema.get(schema);
    if (!cache) {
      cache = new LRUCache({ max: this.options.maxDocuments ?? DEFAULT_MAX_DOCUMENTS });
      this.bySchema.set(schema, cache);
    }
    return cache;
  }
}

function coded(error: unknown, code: string): GraphQLError {
  const message = error instanceof Error ? error.message : String(error);
  return new GraphQLError(message, { extensions: { code } });
}
