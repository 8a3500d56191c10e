import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ParseOptions, ValidationRule } from 'graphql';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { RedisClient } from '../../platform/redis/connection';
import type { GatewayConfig } from '../config';
import { createCors } from './cors';
import { assertTokenLimit, queryLimitRules, queryOfRequest } from './limits';
import { EdgeRateLimits } from './rate-limits';

export interface SecurityEdge {
  /** CORS headers on every GraphQL response; true when it answered a preflight itself. */
  cors(req: IncomingMessage, res: ServerResponse, requestId: string): Promise<boolean>;
  /**
   * Spread into Apollo Server's options: the limits a document alone decides, as validation
   * rules (the cost, which depends on variables, is checked with the operation's access).
   */
  apollo: { validationRules: ValidationRule[]; parseOptions: ParseOptions };
  /** Refuses a query over GATEWAY_MAX_TOKENS before Apollo parses it (400 `limit: tokens`). */
  checkTokens(req: IncomingMessage, body: unknown): void;
  /** Distributed rate limits; absent when the gateway runs without Redis (policies off). */
  rateLimits?: EdgeRateLimits;
}

export interface SecurityEdgeOptions {
  logger: Logger;
  registry: Registry;
  /** The gateway's Redis connection, when it has one. */
  redis?: RedisClient;
  /** Tenants' allowed origins, per tenant (see tenant-origins.ts); none without it. */
  tenantOrigins?: (origin: string, tenantId?: string) => Promise<boolean>;
}

/** Everything between the socket and the query plan that keeps the gateway usable under abuse. */
export function setupSecurityEdge(
  config: GatewayConfig,
  options: SecurityEdgeOptions,
): SecurityEdge {
  return {
    cors: createCors({
      allowedOrigins: config.CORS_ALLOWED_ORIGINS,
      allowCredentials: config.CORS_ALLOW_CREDENTIALS,
      maxAgeSeconds: config.CORS_MAX_AGE_SECONDS,
      tenantOrigins: options.tenantOrigins,
      logger: options.logger,
    }),
    apollo: {
      validationRules: queryLimitRules({
        maxDepth: config.GATEWAY_MAX_DEPTH,
        maxAliases: config.GATEWAY_MAX_ALIASES,
        maxDirectives: config.GATEWAY_MAX_DIRECTIVES,
      }),
      // The same bound inside Apollo's parser, for any query text checkTokens did not see.
      parseOptions: { maxTokens: config.GATEWAY_MAX_TOKENS },
    },
    checkTokens: (req, body) =>
      assertTokenLimit(queryOfRequest(req.method, req.url, body), config.GATEWAY_MAX_TOKENS),
    rateLimits: options.redis
      ? new EdgeRateLimits(options.redis, config, options.registry, options.logger)
      : undefined,
  };
}
