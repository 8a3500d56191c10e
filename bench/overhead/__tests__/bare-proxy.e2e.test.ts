import { createPublicKey, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { anonymousContext } from '../../../platform/context/request-context';
import { privateKeyFromSeed, ServicePublicKeys } from '../../../platform/context/service-keys';
import {
  CONTEXT_HEADER,
  encodeContext,
  RequestVerifier,
  SIGNATURE_HEADER,
} from '../../../platform/context/signed-request';
import { generateTestServiceKeys } from '../../../testing/service-keys';
import { send } from '../../lib/http-client';
import { startBareProxy, type BareProxy } from '../bare-proxy';

// The production-path bench's floor must forward exactly what the direct request carries (a
// signed context is bound to method, path and body), and nothing may look like a success
// that was not one.
describe('the bare proxy', () => {
  let upstream: Server;
  let proxy: BareProxy;
  let signingProxy: BareProxy;
  const keys = generateTestServiceKeys();
  const received: {
    method?: string;
    url?: string;
    headers: IncomingMessage['headers'];
    body: string;
  }[] = [];

  beforeAll(async () => {
    upstream = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString();
        received.push({ method: req.method, url: req.url, headers: req.headers, body });
        const status = req.url === '/refuse' ? 401 : 200;
        res
          .writeHead(status, { 'content-type': 'application/json' })
          .end(`{"echo":${JSON.stringify(body)}}`);
      });
    });
    await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
    const origin = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
    proxy = await startBareProxy(origin);
    signingProxy = await startBareProxy(origin, keys.env.GATEWAY_SIGNING_KEY);
  });

  afterAll(async () => {
    await proxy?.stop();
    await signingProxy?.stop();
    if (upstream.listening) await new Promise((resolve) => upstream.close(resolve));
  });

  it('forwards method, path, headers and body, and answers with the upstream answer', async () => {
    const body = JSON.stringify({ query: '{ assets { nodes { id } } }' });
    const answer = await send(`${proxy.origin}/graphql?x=1`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-tessera-signature': 'v2;sig' },
      body,
    });
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.text)).toEqual({ echo: body });
    expect(received.at(-1)).toMatchObject({
      method: 'POST',
      url: '/graphql?x=1',
      body,
      headers: expect.objectContaining({
        'content-type': 'application/json',
        'x-tessera-signature': 'v2;sig',
      }) as unknown,
    });
  });

  it('signs the context afresh as the gateway, for the body and route it forwards', async () => {
    const body = JSON.stringify({ query: '{ assets { nodes { id } } }' });
    const context = encodeContext(anonymousContext(randomUUID()));
    const answer = await send(`${signingProxy.origin}/graphql`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        [CONTEXT_HEADER]: context,
        [SIGNATURE_HEADER]: 'v2;forged',
      },
      body,
    });
    expect(answer.status).toBe(200);
    const forwarded = received.at(-1)!;
    expect(forwarded.headers[CONTEXT_HEADER]).toBe(context);
    const verifier = new RequestVerifier({
      self: 'assets',
      keys: new ServicePublicKeys([
        {
          service: 'gateway',
          kid: 'test',
          publicKey: createPublicKey(privateKeyFromSeed(keys.seed('gateway'))),
        },
      ]),
      maxAgeSeconds: 60,
    });
    const verified = verifier.verify(forwarded.headers, { method: 'POST', path: '/graphql' }, [
      'gateway',
    ]);
    expect(() => verified.checkBody(Buffer.from(forwarded.body))).not.toThrow();
    expect(verified.caller).toBe('gateway');
  });

  it("passes the upstream's refusal on as it is", async () => {
    const answer = await send(`${proxy.origin}/refuse`, { method: 'POST', body: '{}' });
    expect(answer.status).toBe(401);
  });

  it('answers 502 once the upstream is gone', async () => {
    upstream.closeAllConnections();
    await new Promise((resolve) => upstream.close(resolve));
    const answer = await send(`${proxy.origin}/graphql`, { method: 'POST', body: '{}' });
    expect(answer.status).toBe(502);
    expect(answer.text).toMatch(/^upstream failed/);
  });
});
