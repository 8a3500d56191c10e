import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper';
import { productByUpc, products } from './data';

export const typeDefs = /* GraphQL */ `
  extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key"])

  type Query {
    topProducts(first: Int = 5): [Product!]!
  }

  type Product @key(fields: "upc") {
    upc: String!
    "In the caller's locale; the bench answers every locale alike."
    name(locale: String): String!
    price: Int!
    weight: Int!
  }
`;

export const resolvers: GraphQLResolverMap = {
  Query: {
    topProducts: (_: unknown, args: { first: number }) => products.slice(0, args.first),
  },
  Product: {
    __resolveReference: (reference: { upc: string }) => productByUpc.get(reference.upc) ?? null,
  },
};
