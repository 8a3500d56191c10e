import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper';
import { reviews, userById, type BenchReview } from './data';

// `author` @provides the username, so a plan may skip the users subgraph for it.
export const typeDefs = /* GraphQL */ `
  extend schema
    @link(
      url: "https://specs.apollo.dev/federation/v2.3"
      import: ["@key", "@external", "@provides"]
    )

  type Review @key(fields: "id") {
    id: ID!
    "In the caller's locale; the bench answers every locale alike."
    body(locale: String): String!
    author: User @provides(fields: "username")
    product: Product
  }

  type User @key(fields: "id") {
    id: ID!
    username: String! @external
    reviews: [Review!]!
  }

  type Product @key(fields: "upc") {
    upc: String!
    reviews: [Review!]!
  }
`;

const reviewById = new Map(reviews.map((review) => [review.id, review]));
const byAuthor = groupBy(reviews, (review) => review.authorId);
const byProduct = groupBy(reviews, (review) => review.productUpc);

export const resolvers: GraphQLResolverMap = {
  Review: {
    __resolveReference: (reference: { id: string }) => reviewById.get(reference.id) ?? null,
    author: (review: BenchReview) => ({
      __typename: 'User',
      id: review.authorId,
      username: userById.get(review.authorId)?.username,
    }),
    product: (review: BenchReview) => ({ __typename: 'Product', upc: review.productUpc }),
  },
  User: {
    __resolveReference: (reference: { id: string }) => reference,
    reviews: (user: { id: string }) => byAuthor.get(user.id) ?? [],
  },
  Product: {
    __resolveReference: (reference: { upc: string }) => reference,
    reviews: (product: { upc: string }) => byProduct.get(product.upc) ?? [],
  },
};

function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const group = groups.get(key(item));
    if (group) group.push(item);
    else groups.set(key(item), [item]);
  }
  return groups;
}
