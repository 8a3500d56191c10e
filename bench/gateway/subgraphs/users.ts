import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper';
import { userById, users } from './data';

export const typeDefs = /* GraphQL */ `
  extend schema
    @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key", "@shareable"])

  type Query {
    me: User
    users: [User!]!
    user(id: ID!): User
  }

  type User @key(fields: "id") {
    id: ID!
    "In the caller's locale; the bench answers every locale alike."
    name(locale: String): String!
    # reviews @provides it too
    username: String! @shareable
    birthday: Int!
  }
`;

export const resolvers: GraphQLResolverMap = {
  Query: {
    me: () => users[0],
    users: () => users,
    user: (_: unknown, args: { id: string }) => userById.get(args.id) ?? null,
  },
  User: {
    __resolveReference: (reference: { id: string }) => userById.get(reference.id) ?? null,
  },
};
