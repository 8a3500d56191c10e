import { startSubgraphs, type FederationFixture } from './fixtures/federation-fixture';
import { DIRECTIVE_SUBGRAPHS } from './fixtures/directive-subgraphs';
import {
  expectSameAnswer,
  run,
  startGatewayPair,
  type GatewayPair,
  type Response,
} from './fixtures/gateway-pair';

// The differential test (differential.test.ts) for plans that carry more than keys:
// @interfaceObject (the representation's __typename rewritten to the interface's), fields the
// planner aliases and renames back, @requires with field arguments, and @override. Both
// gateways share @apollo/query-planner, so each compares how the plan is executed: data,
// errors (messages, paths, codes) and null propagation.

type SubgraphName = keyof typeof DIRECTIVE_SUBGRAPHS;

let fixture: FederationFixture<SubgraphName>;
let gateways: GatewayPair;

beforeAll(async () => {
  fixture = await startSubgraphs(DIRECTIVE_SUBGRAPHS);
  gateways = await startGatewayPair(fixture.supergraphSdl);
});

afterAll(async () => {
  await gateways?.stop();
  await fixture?.stop();
});

describe('@interfaceObject', () => {
  it('sends representations typed as the interface, and nulls an entity whose field failed', async () => {
    const answer = await expectSameAnswer(gateways, '{ media { __typename id title stars } }');
    expect(answer.data).toEqual({
      media: [
        { __typename: 'Movie', id: 'm1', title: 'Metropolis', stars: 5 },
        null,
        { __typename: 'Movie', id: 'm3', title: 'Nosferatu', stars: 4 },
      ],
    });
    expect(answer.errors).toMatchObject([
      { path: ['media', 1, 'stars'], extensions: { code: 'NOT_RATED', serviceName: 'ratings' } },
    ]);
  });

  it('asks the interface owner for the concrete type of what the interface object returned', async () => {
    const answer = await expectSameAnswer(
      gateways,
      `{ rated(ids: ["m3", "m2", "m1"]) {
          __typename id title
          ... on Movie { director }
          ... on Song { artist }
        } }`,
    );
    expect(answer.data).toMatchObject({
      rated: [
        { __typename: 'Movie', director: 'Murnau' },
        { __typename: 'Song', artist: 'Debussy' },
        { __typename: 'Movie', director: 'Lang' },
      ],
    });
  });

  it('reports an entity fetch error at every entity that shared the representation', async () => {
    // Tessera sends m4 once; @apollo/gateway sends it for each entity and reports each error.
    const answer = await expectSameAnswer(
      gateways,
      '{ rated(ids: ["m4", "m5", "m1", "m4"]) { id ... on Movie { director } } }',
    );
    expect(answer.errors).toMatchObject([
      { message: 'm4 was withdrawn', path: ['rated', 0, 'director'] },
      { message: 'm5 was withdrawn', path: ['rated', 1, 'director'] },
      { message: 'm4 was withdrawn', path: ['rated', 3, 'director'] },
    ]);
  });

  it('nulls a non-null list entry no subgraph could complete, up to the root', async () => {
    // m9 has a rating but is no Media of the library: its title is missing.
    const answer = await expectSameAnswer(gateways, '{ topRated { id title } }');
    expect(answer.data).toBeNull();
  });

  it.each([
    ['answered by the interface object alone', '{ topRated { id stars } }'],
    ['an entry no subgraph knows, in a nullable list', '{ rated(ids: ["m9", "m1"]) { id title } }'],
    ['only the concrete type', '{ rated(ids: ["m2", "m1"]) { __typename } }'],
    ['the same entity twice', '{ rated(ids: ["m1", "m1", "m3"]) { __typename id title stars } }'],
    [
      'a failed non-null field between two entities sharing a representation',
      '{ rated(ids: ["m6", "m4", "m6"]) { id title ... on Song { minutes } ... on Movie { minutes director } } }',
    ],
    [
      'the same failing entity under two root fields',
      '{ a: rated(ids: ["m4"]) { ... on Movie { director } } b: rated(ids: ["m4", "m1"]) { ... on Movie { director } } }',
    ],
    [
      'interface object fields under type conditions',
      '{ media { ... on Movie { stars director } ... on Song { title } } }',
    ],
    [
      'a fragment on the interface, an alias inside it',
      `{ media { id ...F } }
       fragment F on Media { title stars ... on Movie { m: minutes } ... on Song { minutes } }`,
    ],
  ])('%s', async (_, query) => {
    await expectSameAnswer(gateways, query);
  });
});

describe('fields the planner aliases and renames back', () => {
  it.each([
    [
      'in a root fetch, through a list and a type condition',
      '{ media { id ... on Movie { minutes restoredIn } ... on Song { minutes } } }',
    ],
    [
      'in an entity fetch',
      '{ rated(ids: ["m2", "m1"]) { id ... on Song { minutes } ... on Movie { minutes } } }',
    ],
  ])('%s', async (_, query) => {
    const answer = await expectSameAnswer(gateways, query);
    expect(JSON.stringify(answer.data)).not.toContain('__alias');
    expect(JSON.stringify(answer.data)).toContain('"minutes":5');
  });
});

describe('@requires with field arguments', () => {
  it('sends the field as fetched with the required arguments, and nulls what could not be computed', async () => {
    const answer = await expectSameAnswer(gateways, '{ items { id shippingCost } }');
    expect(answer.data).toEqual({
      items: [{ id: 'i1', shippingCost: 4.5 }, { id: 'i2', shippingCost: 0 }, null],
    });
    expect(answer.errors).toMatchObject([
      { path: ['items', 2, 'price'], extensions: { serviceName: 'pricing' } },
      { path: ['items', 2, 'shippingCost'], extensions: { code: 'PRICE_MISSING' } },
    ]);
  });

  // When the client also selects the required field with other arguments (or with its
  // default), @apollo/query-planner fetches it once, with the client's arguments, and sends
  // that value as the requirement (apollographql/federation#2996, open): `shippingCost` is
  // then computed from the USD price. Both gateways share the planner, so these cases check
  // that they execute its plan alike, not that the planner is right.
  it.each([
    ['a nested selection with arguments, null for one entity', '{ items { name area } }'],
    [
      'a nested required field also asked with its default arguments',
      '{ items { id area size { width } } }',
    ],
    [
      'the required field also asked by the client, with other arguments',
      '{ items { id price(currency: USD) shippingCost } }',
    ],
    [
      'the required field also asked under an alias',
      '{ items { eur: price(currency: EUR) area } }',
    ],
  ])('%s', async (_, query) => {
    await expectSameAnswer(gateways, query);
  });

  it.each([[{ currency: 'USD' }], [{ currency: 'GBP' }], [{}]])(
    'the client’s arguments as variables (%j)',
    async (variables) => {
      await expectSameAnswer(
        gateways,
        'query Q($currency: Currency!) { items { price(currency: $currency) shippingCost } }',
        variables,
      );
    },
  );
});

describe('@override', () => {
  it('asks the overriding subgraph; a progressive override whose label is off stays put', async () => {
    const before = { ...fixture.requests };
    const answer = await expectSameAnswer(gateways, '{ items { id stock label } }');
    expect(answer.data).toEqual({
      items: [
        { id: 'i1', stock: 7, label: 'Lamp (pricing)' },
        { id: 'i2', stock: 0, label: 'Rug (pricing)' },
        { id: 'i3', stock: 3, label: 'Vase (pricing)' },
      ],
    });
    // One root fetch to pricing and one entity fetch to shipping, per gateway.
    expect(fixture.requests.pricing - before.pricing).toBe(2);
    expect(fixture.requests.shipping - before.shipping).toBe(2);
  });
});

// These stop subgraphs: they run last.
describe('when a subgraph is gone', () => {
  it('the one of a @requires field: answers what the others can, errors for the rest', async () => {
    await fixture.stopSubgraph('shipping');
    const query = '{ items { id name shippingCost } media { id title } }';
    const expected = await run(gateways.stock, query);
    const actual = await run(gateways.tessera, query);
    expect(actual.data).toEqual(expected.data);
    expect(actual.data).toEqual({
      items: [null, null, null],
      media: [
        { id: 'm1', title: 'Metropolis' },
        { id: 'm2', title: 'Clair de lune' },
        { id: 'm3', title: 'Nosferatu' },
      ],
    });
    expect(pathsAndCodes(actual)).toEqual(pathsAndCodes(expected));
    expect(actual.errors?.length).toBeGreaterThan(0);
  });

  it('the owner of the interface: the same data, errors at the same paths with the same codes', async () => {
    await fixture.stopSubgraph('library');
    for (const query of [
      '{ topRated { id stars } }',
      '{ rated(ids: ["m1"]) { id title stars } }',
      '{ items { stock } media { id } }',
    ]) {
      const expected = await run(gateways.stock, query);
      const actual = await run(gateways.tessera, query);
      expect(actual.data).toEqual(expected.data);
      expect(pathsAndCodes(actual)).toEqual(pathsAndCodes(expected));
    }
  });
});

/** Messages name the refused connection differently; where and which code must agree. */
function pathsAndCodes({ errors }: Response) {
  return (errors ?? []).map((error) => {
    const { path, extensions } = error as { path?: unknown; extensions?: { code?: unknown } };
    return { path, code: extensions?.code };
  });
}
