import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginLandingPageLocalDefault } from '@apollo/server/plugin/landingPage/default';
import { executeApollo } from '../graphql/apollo-http';
import { readBody } from '../http/body';

// The plain node:http integration hands Apollo Server the request it read. Accept headers that
// Apollo answers with application/json anyway are left out (no negotiation per request): the
// answers must be the ones Apollo gives with the header as sent.

let apollo: ApolloServer;
let server: Server;
let url: string;

beforeAll(async () => {
  apollo = new ApolloServer({
    typeDefs: 'type Query { hello: String }',
    resolvers: { Query: { hello: () => 'world' } },
    plugins: [ApolloServerPluginLandingPageLocalDefault({ embed: true })],
  });
  await apollo.start();
  server = createServer((req, res) => {
    void (async () => {
      const raw = await readBody(req, 1 << 20);
      const body: unknown = raw.length > 0 ? JSON.parse(raw.toString('utf8')) : undefined;
      await executeApollo(apollo, req, res, body, {});
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  await apollo.stop();
});

const post = (accept?: string) =>
  fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(accept !== undefined && { accept }) },
    body: JSON.stringify({ query: '{ hello }' }),
  });

it.each([
  ['no Accept header', undefined, 'application/json'],
  ['a wildcard', '*/*', 'application/json'],
  ['application/json', 'application/json', 'application/json'],
  ['an HTTP library default', 'application/json, text/plain, */*', 'application/json'],
  [
    'the GraphQL media type',
    'application/graphql-response+json',
    'application/graphql-response+json',
  ],
  [
    'both, JSON weighted lower',
    'application/json;q=0.9, application/graphql-response+json',
    'application/graphql-response+json',
  ],
])('a POST with %s is answered as Apollo Server answers it', async (_case, accept, type) => {
  const response = await post(accept);
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toBe(`${type}; charset=utf-8`);
  expect(await response.json()).toEqual({ data: { hello: 'world' } });
});

it('a POST accepting nothing it can send is refused, as by Apollo Server', async () => {
  const response = await post('text/html');
  expect(response.status).toBe(406);
});

it("a browser's GET still gets the landing page: its Accept is always passed on", async () => {
  const response = await fetch(url, {
    headers: { accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8' },
  });
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toMatch(/^text\/html/);
});
