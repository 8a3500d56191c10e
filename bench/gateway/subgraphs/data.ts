/**
 * The fixed data every bench subgraph serves: small enough to live in memory and answer in
 * microseconds, shaped so the deep query fans out to a few hundred entities. Ten users each
 * wrote three reviews, and each of the ten products has three of those thirty reviews.
 */
export interface BenchUser {
  id: string;
  name: string;
  username: string;
  birthday: number;
}

export interface BenchProduct {
  upc: string;
  name: string;
  price: number;
  weight: number;
}

export interface BenchReview {
  id: string;
  body: string;
  authorId: string;
  productUpc: string;
}

const USERS = 10;
const PRODUCTS = 10;
const REVIEWS_PER_USER = 3;

export const users: BenchUser[] = Array.from({ length: USERS }, (_, i) => ({
  id: `u${i + 1}`,
  name: `User ${i + 1}`,
  username: `user${i + 1}`,
  birthday: 1_000_000_000 + i * 86_400,
}));

export const products: BenchProduct[] = Array.from({ length: PRODUCTS }, (_, i) => ({
  upc: `p${i + 1}`,
  name: `Product ${i + 1}`,
  price: 100 + i * 150,
  weight: 10 + i * 7,
}));

/** In stock unless the product number is a multiple of three. */
export const inStock = new Map(products.map((product, i) => [product.upc, (i + 1) % 3 !== 0]));

// Review n (1-based) is by user n mod 10, about a product offset by 0, 3 or 6 per round, so
// a user's three reviews are about three different products and every product gets three.
export const reviews: BenchReview[] = Array.from({ length: USERS * REVIEWS_PER_USER }, (_, i) => {
  const round = Math.floor(i / USERS);
  return {
    id: `r${i + 1}`,
    body: `Review ${i + 1}: ${'a fair product, would buy again. '.repeat(1 + (i % 3))}`.trim(),
    authorId: `u${(i % USERS) + 1}`,
    productUpc: `p${((i + round * 3) % PRODUCTS) + 1}`,
  };
});

export const userById = new Map(users.map((user) => [user.id, user]));
export const productByUpc = new Map(products.map((product) => [product.upc, product]));
