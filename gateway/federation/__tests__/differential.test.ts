import { startFederationFixture, type FederationFixture } from './fixtures/federation-fixture';
import {
  expectSameAnswer as expectSame,
  run,
  startGatewayPair,
  type GatewayPair,
} from './fixtures/gateway-pair';

// Tessera's executor must answer exactly as stock @apollo/gateway does, for every kind of
// plan: both run behind Apollo Server against the same subgraphs, and each operation's whole
// response (data, errors with paths and codes, extensions) is compared.
// (differential-directives.test.ts does the same for @interfaceObject, @requires with
// arguments and @override.)

let fixture: FederationFixture;
let gateways: GatewayPair;

beforeAll(async () => {
  fixture = await startFederationFixture();
  gateways = await startGatewayPair(fixture.supergraphSdl);
});

afterAll(async () => {
  await gateways?.stop();
  await fixture?.stop();
});

const expectSameAnswer = (query: string, variables?: Record<string, unknown>) =>
  expectSame(gateways, query, variables);

const PRODUCT = 'upc name price weight inStock shippingEstimate';

describe('the executor answers as @apollo/gateway does', () => {
  it.each([
    ['a root field of one subgraph', '{ users { id name } }'],
    [
      'entities across every subgraph, several levels deep, with fragments',
      `fragment P on Product { ${PRODUCT} }
       query Deep { users { name reviews { body product { ...P reviews { rating author { username name reviews { product { ...P } } } } } } } }`,
    ],
    [
      '@requires fields fetched before the field needing them',
      `{ topProducts(first: 2) { upc shippingEstimate } }`,
    ],
    ['@provides: a field the reviews subgraph provides', '{ reviews { author { username } } }'],
    [
      'aliases, the same field twice with different arguments',
      `{ one: topProducts(first: 1) { n: name } two: topProducts(first: 2) { name price } t: __typename }`,
    ],
    [
      'a union with inline fragments and __typename',
      `{ search(term: "o") { __typename ... on Product { upc name inStock } ... on Book { title year } } }`,
    ],
    [
      'an interface with a type condition and an entity below it',
      `{ node(id: "u2") { id __typename ... on User { name reviews { body product { name } } } } }`,
    ],
    ['a subgraph error with a code, beside data', '{ me { name secret } }'],
    ['a subgraph error without a code', '{ crash users { id } }'],
    [
      'an entity fetch error: its path is the path in the response',
      '{ reviews(minRating: 1) { body product { name price } } }',
    ],
    [
      'an entity no subgraph knows: a non-null field nulled upwards',
      '{ reviews { id product { upc name } } }',
    ],
    ['an enum value the subgraph cannot serialize', '{ topProducts { upc kind } }'],
    [
      'introspection beside data',
      '{ __schema { queryType { name } } __type(name: "Product") { name kind } users { id } }',
    ],
    ['__typename alone', '{ __typename }'],
    ['a validation error', '{ users { nope } }'],
  ])('%s', async (_, query) => {
    await expectSameAnswer(query);
  });

  it.each([
    [{ withReviews: true, first: 2 }],
    [{ withReviews: false, first: 1 }],
    [{ withReviews: true }],
  ])('@skip and @include on variables (%j), a variable default', async (variables) => {
    await expectSameAnswer(
      `query Q($withReviews: Boolean!, $first: Int = 3) {
        topProducts(first: $first) {
          name
          reviews @include(if: $withReviews) { body }
          ... on Product @skip(if: $withReviews) { inStock }
          price @skip(if: false)
        }
      }`,
      variables,
    );
  });

  it('refuses variables of the wrong type the same way', async () => {
    const answer = await expectSameAnswer(
      'query Q($first: Int) { topProducts(first: $first) { upc } }',
      {
        first: 'many',
      },
    );
    expect(answer.errors).toHaveLength(1);
  });

  it('runs mutations in order', async () => {
    const answer = await expectSameAnswer(
      `mutation { a: addReview(upc: "p1", body: "first") { body product { name } } b: addReview(upc: "p2", body: "second") { body author { username } } }`,
    );
    expect(answer.data).toEqual({
      a: { body: 'first', product: { name: 'Table' } },
      b: { body: 'second', author: { username: 'ada' } },
    });
  });

  it('sends each distinct entity once however often the response holds it', async () => {
    const query = `{ reviews { product { name } } }`;
    const sent = fixture.representationsSent.catalog;
    sent.length = 0;
    const expected = await run(gateways.stock, query);
    const stockSent = sent.splice(0);
    const answer = await run(gateways.tessera, query);
    const tesseraSent = sent.splice(0);
    expect(answer).toEqual(expected);
    const names = (answer.data as { reviews: { product: { name: string } | null }[] }).reviews;
    expect(names.filter((review) => review.product?.name === 'Table').length).toBeGreaterThan(1);
    // One representation per review for stock; one per product (p1, p2, ghost) for Tessera.
    expect(stockSent).toEqual([names.length]);
    expect(tesseraSent).toEqual([3]);
  });
});

describe('when a subgraph is gone', () => {
  it('answers what the others can, with an error for the rest', async () => {
    await fixture.stopSubgraph('inventory');
    const query = `{ users { id } reviews { body product { name inStock } } }`;
    const expected = await run(gateways.stock, query);
    const actual = await run(gateways.tessera, query);
    expect(actual.data).toEqual(expected.data);
    expect(actual.data).toMatchObject({ users: [{ id: 'u1' }, { id: 'u2' }] });
    expect(actual.errors?.length).toBe(expected.errors?.length);
    expect(actual.errors?.length).toBeGreaterThan(0);
  });
});
