import { readFileSync } from 'node:fs';
import { composeServices } from '@apollo/composition';
import { parse, type GraphQLSchema } from 'graphql';
import { SUBGRAPH_NAMES, subgraphSchemaPath, type SubgraphName } from '../paths';

/** Where each subgraph listens by default; the gateway's config overrides these at run time. */
export const DEFAULT_SUBGRAPH_PORTS: Record<SubgraphName, number> = {
  auth: 4001,
  tenancy: 4002,
  assets: 4003,
  jobs: 4004,
  observability: 4005,
};

export function defaultSubgraphUrl(name: SubgraphName): string {
  return `http://127.0.0.1:${DEFAULT_SUBGRAPH_PORTS[name]}/graphql`;
}

export interface ComposedSupergraph {
  supergraphSdl: string;
  /** The schema clients see (federation machinery removed). */
  apiSchema: GraphQLSchema;
}

/** Composes `schema/*.graphql` into the supergraph; throws with every composition error. */
export function composeSupergraph(): ComposedSupergraph {
  const result = composeServices(
    SUBGRAPH_NAMES.map((name) => ({
      name,
      url: defaultSubgraphUrl(name),
      typeDefs: parse(readFileSync(subgraphSchemaPath(name), 'utf8')),
    })),
  );
  if (result.errors) {
    throw new Error(
      `composition failed:\n${result.errors.map((error) => `- ${error.message}`).join('\n')}`,
    );
  }
  return {
    supergraphSdl: `${result.supergraphSdl.trimEnd()}\n`,
    apiSchema: result.schema.toAPISchema().toGraphQLJSSchema(),
  };
}
