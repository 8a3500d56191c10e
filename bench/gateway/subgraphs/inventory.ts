import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper';
import { inStock } from './data';

// `shippingEstimate` @requires fields another subgraph owns, so a gateway must fetch products
// before it can ask inventory: one more sequential step in every plan.
export const typeDefs = /* GraphQL */ `
  extend schema
    @link(
      url: "https://specs.apollo.dev/federation/v2.3"
      import: ["@key", "@external", "@requires"]
    )

  type Product @key(fields: "upc") {
    upc: String!
    price: Int! @external
    weight: Int! @external
    "For the caller's locale (its warehouses); the bench answers every locale alike."
    inStock(locale: String): Boolean!
    shippingEstimate(locale: String): Int! @requires(fields: "price weight")
  }
`;

interface ProductReference {
  upc: string;
  price?: number;
  weight?: number;
}

export const resolvers: GraphQLResolverMap = {
  Product: {
    __resolveReference: (reference: ProductReference) => ({
      ...reference,
      inStock: inStock.get(reference.upc) ?? false,
    }),
    // Free shipping over 1000, else half the weight.
    shippingEstimate: (product: ProductReference) =>
      (product.price ?? 0) > 1000 ? 0 : Math.round((product.weight ?? 0) / 2),
  },
};
