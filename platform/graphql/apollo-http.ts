import type { IncomingMessage, ServerResponse } from 'node:http';
import { HeaderMap, type ApolloServer, type BaseContext } from '@apollo/server';

/**
 * Accept headers for which Apollo Server answers a POST with `application/json`, exactly as it
 * does when there is none. They are left out so that it does not run its content negotiation
 * (a parse of the header per request) to reach the same answer; anything else, a multipart
 * accept for incremental delivery included, is passed on as sent. Only for POST: a GET's
 * accept also decides whether a browser gets the landing page.
 */
export const ANSWERED_AS_JSON: ReadonlySet<string> = new Set([
  '*/*',
  'application/json',
  'application/json, */*',
  'application/json, text/plain, */*',
]);

/**
 * Hands one already-read request to Apollo Server and writes its answer: a small integration
 * on plain `node:http`, so body limits, context checks and metrics stay in our hands. Resolves
 * with the size of the answer written, in bytes (usage counting).
 */
export async function executeApollo<TContext extends BaseContext>(
  server: ApolloServer<TContext>,
  req: IncomingMessage,
  res: ServerResponse,
  body: unknown,
  context: TContext,
  extraHeaders: Record<string, string> = {},
): Promise<number> {
  const headers = new HeaderMap();
  const method = (req.method ?? 'GET').toUpperCase();
  for (const [key, value] of Object.entries(req.headers)) {
    if (value === undefined) continue;
    if (
      key === 'accept' &&
      method === 'POST' &&
      typeof value === 'string' &&
      ANSWERED_AS_JSON.has(value)
    ) {
      continue;
    }
    headers.set(key, Array.isArray(value) ? value.join(', ') : value);
  }
  const search = (req.url ?? '').includes('?')
    ? (req.url ?? '').slice((req.url ?? '').indexOf('?'))
    : '';

  const response = await server.executeHTTPGraphQLRequest({
    httpGraphQLRequest: { method, headers, search, body },
    context: () => Promise.resolve(context),
  });

  for (const [key, value] of response.headers) res.setHeader(key, value);
  for (const [key, value] of Object.entries(extraHeaders)) res.setHeader(key, value);
  res.statusCode = response.status ?? 200;
  if (response.body.kind === 'complete') {
    // Encoded once: given the string, Node would scan it for its length (Content-Length),
    // then encode it on the socket write, and usage counting would scan it a third time.
    const bytes = Buffer.from(response.body.string, 'utf8');
    res.end(bytes);
    return bytes.length;
  }
  let bytes = 0;
  for await (const chunk of response.body.asyncIterator) {
    res.write(chunk);
    bytes += Buffer.byteLength(chunk);
  }
  res.end();
  return bytes;
}
