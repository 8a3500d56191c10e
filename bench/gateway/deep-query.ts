/**
 * The query every gateway answers in the bench: users → reviews → product → reviews → author
 * → reviews → product, plus the top products' reviews, as in The Guild's federation gateway
 * benchmark. Each level is an entity fetch to another subgraph (inventory's
 * `shippingEstimate` needs products' `price` and `weight` first), and the answer holds a few
 * hundred objects.
 */
export const DEEP_QUERY = /* GraphQL */ `
  fragment User on User {
    id
    username
    name
  }

  fragment Review on Review {
    id
    body
  }

  fragment Product on Product {
    inStock
    name
    price
    shippingEstimate
    upc
    weight
  }

  query TestQuery {
    users {
      ...User
      reviews {
        ...Review
        product {
          ...Product
          reviews {
            ...Review
            author {
              ...User
              reviews {
                ...Review
                product {
                  ...Product
                }
              }
            }
          }
        }
      }
    }
    topProducts {
      ...Product
      reviews {
        ...Review
        author {
          ...User
          reviews {
            ...Review
            product {
              ...Product
            }
          }
        }
      }
    }
  }
`;

export const DEEP_QUERY_BODY = JSON.stringify({ query: DEEP_QUERY, operationName: 'TestQuery' });
