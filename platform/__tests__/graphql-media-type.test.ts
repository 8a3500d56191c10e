import { graphQLResponseMediaType } from '../http/media-type';

// Answers the gateway writes itself (a body that is not JSON, a rate limit, bad credentials)
// are GraphQL responses too: they take the media type the client asked for, as Apollo
// Server's own answers do (GraphQL over HTTP, "Accept").

const JSON_TYPE = 'application/json; charset=utf-8';
const GRAPHQL_TYPE = 'application/graphql-response+json; charset=utf-8';

it.each([
  ['no Accept header', undefined, JSON_TYPE],
  ['application/json', 'application/json', JSON_TYPE],
  ['application/graphql-response+json', 'application/graphql-response+json', GRAPHQL_TYPE],
  ['both, the new type first', 'application/graphql-response+json, application/json', GRAPHQL_TYPE],
  ['both, JSON first', 'application/json, application/graphql-response+json', JSON_TYPE],
  [
    'both, JSON weighted lower',
    'application/json;q=0.9, application/graphql-response+json',
    GRAPHQL_TYPE,
  ],
  ['a wildcard', '*/*', JSON_TYPE],
  ['application/*', 'application/*', JSON_TYPE],
  ['the new type refused by q=0', 'application/graphql-response+json;q=0, */*', JSON_TYPE],
  ['JSON refused by q=0', 'application/json;q=0, */*;q=0.1', GRAPHQL_TYPE],
  [
    'parameters and odd spacing',
    ' Application/GraphQL-Response+JSON ; charset=utf-8 ',
    GRAPHQL_TYPE,
  ],
])('%s gets the matching media type', (_case, accept, expected) => {
  expect(graphQLResponseMediaType(accept)).toBe(expected);
});

it('falls back to application/json when the client accepts neither (allowed by the spec)', () => {
  expect(graphQLResponseMediaType('text/html')).toBe(JSON_TYPE);
  expect(graphQLResponseMediaType('application/json;q=0')).toBe(JSON_TYPE);
  expect(graphQLResponseMediaType(',;q=,garbage')).toBe(JSON_TYPE);
});
