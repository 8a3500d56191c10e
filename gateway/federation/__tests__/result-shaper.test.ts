import {
  buildSchema as buildFederationSchema,
  operationFromDocument,
} from '@apollo/federation-internals';
// @apollo/gateway's own shaping, the reference; not part of its public API.
import { computeResponse } from '@apollo/gateway/dist/resultShaping';
import {
  buildSchema,
  Kind,
  parse,
  type FragmentDefinitionNode,
  type OperationDefinitionNode,
} from 'graphql';
import { ResultShaper } from '../result-shaper';

// The compiled shaper against @apollo/gateway's computeResponse on merged subgraph data that
// is wrong in every way a subgraph can be wrong: both must give the same data and the same
// value-completion errors.

const SDL = `
  enum Color { RED GREEN }
  interface Named { name: String! }
  type Person implements Named { name: String! age: Int friends: [Person!] favorite: Color }
  type Robot implements Named { name: String! serial: ID! }
  union Thing = Person | Robot
  type Query {
    me: Person
    must: Person!
    things: [Thing!]!
    named: [Named]
    count: Int!
    ratio: Float
    constructor: String
  }
`;
const schema = buildSchema(SDL);
const federationSchema = buildFederationSchema(SDL);

function shapeBoth(query: string, input: Record<string, unknown>, variables = {}) {
  const document = parse(query);
  const operation = document.definitions.find(
    (d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION,
  )!;
  const fragments = new Map(
    document.definitions
      .filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION)
      .map((f) => [f.name.value, f]),
  );
  const ours = ResultShaper.compile(schema, operation, fragments).shape(
    structuredClone(input),
    variables,
    () => null,
  );
  const theirs = computeResponse({
    operation: operationFromDocument(federationSchema, document),
    variables,
    input: structuredClone(input),
    introspectionHandling: () => null,
  });
  const json = (value: unknown) => JSON.parse(JSON.stringify(value)) as unknown;
  return { ours: json(ours), theirs: json(theirs) };
}

it.each([
  [
    'valid data, extra fields dropped',
    '{ me { name age } }',
    { me: { name: 'a', age: 3, secret: 1 } },
  ],
  ['a nullable leaf of the wrong type', '{ me { name age } }', { me: { name: 'a', age: '3' } }],
  [
    'an Int that is not whole, a huge one',
    '{ me { age } count }',
    { me: { age: 1.5 }, count: 1e21 },
  ],
  [
    'a non-null leaf null: the parent nulled',
    '{ me { name age } }',
    { me: { name: null, age: 3 } },
  ],
  ['a non-null leaf missing under a non-null root: data null', '{ must { name } }', { must: {} }],
  ['a non-null leaf of the wrong type', '{ must { name } count }', { must: { name: 7 }, count: 1 }],
  ['an enum value that does not exist', '{ me { favorite } }', { me: { favorite: 'BLUE' } }],
  [
    'a list element null in a non-null list',
    '{ me { friends { name } } }',
    { me: { friends: [{ name: 'b' }, null] } },
  ],
  [
    'a union with fragments and __typename',
    '{ things { __typename ... on Person { name age } ... on Robot { serial } } }',
    {
      things: [
        { __typename: 'Person', name: 'a', age: 1 },
        { __typename: 'Robot', serial: 5 },
      ],
    },
  ],
  ['an unknown __typename', '{ things { __typename } }', { things: [{ __typename: 'Alien' }] }],
  [
    'an interface narrowed',
    '{ named { name ... on Robot { serial } } }',
    { named: [{ __typename: 'Robot', name: 'r', serial: 'x' }, null] },
  ],
  [
    'aliases and a field selected twice',
    '{ a: me { n: name } me { name } b: me { age } }',
    { a: { n: 'x' }, me: { name: 'y' }, b: { age: 2 } },
  ],
  [
    'a field named like an Object.prototype key',
    '{ constructor ratio }',
    { constructor: 'c', ratio: 2 },
  ],
  ['a missing field', '{ me { name } ratio }', {}],
])('%s', (_, query, input) => {
  const { ours, theirs } = shapeBoth(query, input);
  expect(ours).toEqual(theirs);
});

it.each([[{ skip: true }], [{ skip: false }]])(
  '@skip and @include by variables %j',
  (variables) => {
    const { ours, theirs } = shapeBoth(
      'query Q($skip: Boolean!) { me { name @skip(if: $skip) age @include(if: $skip) ... on Person @include(if: true) { favorite } } }',
      { me: { name: 'a', age: 1, favorite: 'RED' } },
      variables,
    );
    expect(ours).toEqual(theirs);
  },
);
