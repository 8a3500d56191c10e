import type { IncomingMessage, ServerResponse } from 'node:http';
import { HeaderMap, type ApolloServer, type BaseContext } from '@apollo/server';

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
  for (const [key, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers.set(key, Array.isArray(value) ? value.join(', ') : value);
  }
  const search = (req.url ?? '').includes('?')
    ? (req.url ?? '').slice((req.url ?? '').indexOf('?'))
    : '';

  const response = await server.executeHTTPGraphQLRequest({
    httpGraphQLRequest: { method: (req.method ?? 'GET').toUpperCase(), headers, search, body },
    context: async () => context,
  });

  for (const [key, value] of response.headers) res.setHeader(key, value);
  for (const [key, value] of Object.entries(extraHeaders)) res.setHeader(key, value);
  res.statusCode = response.status ?? 200;
  if (response.body.kind === 'complete') {
    res.end(response.body.string);
    return Buffer.byteLength(response.body.string);
  }
  let bytes = 0;
  for await (const chunk of response.body.asyncIterator) {
    res.write(chunk);
    bytes += Buffer.byteLength(chunk);
  }
  res.end();
  return bytes;
}
