/**
 * The query every gateway answers in the bench: users → reviews → product → reviews → author
 * → reviews → product, plus the top products' reviews, as in The Guild's federation gateway
 * benchmark. Each level is an entity fetch to another subgraph (inventory's
 * `shippingEstimate` needs products' `price` and `weight` first), and the answer holds a few
 * hundred objects. The caller's `$locale` reaches every subgraph fetch (names, bodies and
 * stock are asked for in it), so requests of different callers never make identical
 * subgraph requests a gateway could share.
 */
export const DEEP_QUERY = /* GraphQL */ `
  fragment User on User {
    id
    username
    name(locale: $locale)
  }

  fragment Review on Review {
    id
    body(locale: $locale)
  }

  fragment Product on Product {
    inStock(locale: $locale)
    name(locale: $locale)
    price
    shippingEstimate(locale: $locale)
    upc
    weight
  }

  query TestQuery($locale: String) {
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

/** The request body of one caller: its own locale, the same query. */
export function deepQueryBody(locale = 'en-0'): string {
  return JSON.stringify({ query: DEEP_QUERY, operationName: 'TestQuery', variables: { locale } });
}

export const DEEP_QUERY_BODY = deepQueryBody();

/** Distinct callers the load cycles through: far more than connections, so none overlap. */
export const DEEP_QUERY_CALLERS = 10_000;
