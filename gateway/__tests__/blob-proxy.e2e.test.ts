import { randomBytes, randomUUID } from 'node:crypto';
import { request } from 'node:http';
import { freePort } from '../../testing/free-port';
import { signUpMember } from '../../testing/members';
import { startStack, type TestStack } from '../../testing/stack';
import { spawnService, type ServiceProcess } from '../../scripts/lib/service-process';
import { AssetsClient, putBytes, sha256 } from '../../subgraphs/assets/__tests__/assets-client';
import { startCaptureProxy, type CaptureProxy } from './capture-proxy';

// What the gateway's public port reaches beyond GraphQL (a deployment that publishes only the
// gateway): signed blob URLs stream through, refusals keep their codes, and no other path of
// the assets process is reachable; /metrics is served on a port of its own, behind a token.
// A second gateway reaches assets through a wiretap, which sees every request it forwards.

const tenantId = randomUUID();
const METRICS_TOKEN = randomBytes(32).toString('base64url');
let stack: TestStack;
let assets: AssetsClient;
let tapped: ServiceProcess;
let wiretap: CaptureProxy;
let metricsPort: number;

beforeAll(async () => {
  stack = await startStack({ subgraphs: ['auth', 'tenancy', 'assets'] });
  wiretap = await startCaptureProxy(stack.url('assets'));
  metricsPort = await freePort();
  tapped = await spawnService('gateway', {
    env: {
      ...stack.env,
      SUBGRAPH_AUTH_URL: `${stack.url('auth')}/graphql`,
      SUBGRAPH_TENANCY_URL: `${stack.url('tenancy')}/graphql`,
      SUBGRAPH_ASSETS_URL: `${wiretap.url}/graphql`,
      GATEWAY_METRICS_PORT: String(metricsPort),
      GATEWAY_METRICS_TOKEN: METRICS_TOKEN,
    },
  });
  await stack.db.query(
    `INSERT INTO tenancy.tenants (id, slug, name) VALUES ($1, 'blobs', 'Blobs')`,
    [tenantId],
  );
  const member = await signUpMember(stack.gatewayUrl, stack.db, tenantId, 'MEMBER');
  assets = new AssetsClient(stack.gatewayUrl, member.headers(tenantId));
}, 120_000);

afterAll(async () => {
  await tapped?.stop();
  await wiretap?.close();
  await stack?.stop();
});

/** The same signed URL on the gateway's origin. */
const viaGateway = (url: string, gatewayUrl = stack.gatewayUrl) => {
  const moved = new URL(url);
  const gateway = new URL(gatewayUrl);
  moved.protocol = gateway.protocol;
  moved.host = gateway.host;
  return moved.href;
};

/** A GET with the request target exactly as given: no client normalises it first. */
function rawGet(
  port: number,
  path: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () =>
        resolve({
          status: res.statusCode!,
          headers: res.headers,
          body: Buffer.concat(chunks).toString('utf8'),
        }),
      );
    });
    req.on('error', reject);
    req.end();
  });
}

describe('blobs through the gateway', () => {
  it('uploads and downloads (with a range) through the gateway', async () => {
    const bytes = randomBytes(200_000);
    const created = await assets.mustCreate({ sizeBytes: bytes.length });
    const put = await putBytes(viaGateway(created.uploadUrl), bytes);
    expect(put.status).toBe(200);
    const completed = await assets.complete(created.asset.id);
    const asset = completed.body.data!.completeAssetUpload;
    expect(asset.checksumSha256).toBe(sha256(bytes));

    const whole = await fetch(viaGateway(asset.downloadUrl!));
    expect(whole.status).toBe(200);
    expect(whole.headers.get('content-disposition')).toMatch(/attachment/);
    expect(Buffer.from(await whole.arrayBuffer()).equals(bytes)).toBe(true);
    const part = await fetch(viaGateway(asset.downloadUrl!), { headers: { range: 'bytes=10-19' } });
    expect(part.status).toBe(206);
    expect(Buffer.from(await part.arrayBuffer()).equals(bytes.subarray(10, 20))).toBe(true);
  });

  it('passes the assets process refusal through: a tampered URL is still refused', async () => {
    const created = await assets.mustCreate({ sizeBytes: 10 });
    const tampered = new URL(viaGateway(created.uploadUrl));
    tampered.searchParams.set('signature', 'A'.repeat(43));
    const answer = await putBytes(tampered.href, randomBytes(10));
    expect(answer.status).toBe(403);
  });

  it('answers a path outside /blobs/ as before', async () => {
    expect((await fetch(new URL('/blobsx', stack.gatewayUrl))).status).toBe(404);
  });
});

describe('paths that are not blob URLs', () => {
  it('are 404 at the gateway once decoded and normalised, before any request to assets', async () => {
    const created = await assets.mustCreate({ sizeBytes: 10 });
    const { pathname: blob, search } = new URL(created.uploadUrl);
    const [, , tenant, asset] = blob.split('/');
    const attempts = [
      '/blobs/../metrics',
      '/blobs/%2e%2e/metrics',
      '/blobs/%2E%2E/%2E%2E/metrics',
      '/blobs/..%2fmetrics',
      '/blobs/%2e%2e%2fmetrics',
      '/blobs/%252e%252e/metrics',
      '/blobs/..\\metrics',
      '/blobs/..%5cmetrics',
      `${blob}/../../../metrics`,
      `${blob}/..%2f..%2f..%2fmetrics`,
      `/blobs/${tenant}%2f${asset}${search}`,
      `/blobs/./${tenant}/${asset}${search}`,
      `/blobs//${tenant}/${asset}${search}`,
      `${blob}/${search}`,
      `/blobs/${tenant!.toUpperCase()}/${asset}${search}`,
      `${blob}%00${search}`,
      `${blob};x${search}`,
    ];
    for (const path of attempts) {
      const answer = await rawGet(tapped.port, path);
      expect({ path, status: answer.status }).toEqual({ path, status: 404 });
      expect(JSON.parse(answer.body)).toMatchObject({
        errors: [{ message: 'Blob not found', extensions: { code: 'NOT_FOUND' } }],
      });
    }
    expect(wiretap.captured.map((sent) => `${sent.method} ${sent.url}`)).toEqual([]);

    // The wiretap sees what the gateway does forward: the blob URL itself.
    const put = await putBytes(viaGateway(created.uploadUrl, tapped.url), randomBytes(10));
    expect(put.status).toBe(200);
    expect(wiretap.captured.map((sent) => `${sent.method} ${sent.url}`)).toEqual([
      `PUT ${blob}${search}`,
    ]);
  });
});

describe('metrics', () => {
  it('are not served on the public port once GATEWAY_METRICS_PORT is set, token or not', async () => {
    const tokens: Record<string, string>[] = [{}, { authorization: `Bearer ${METRICS_TOKEN}` }];
    for (const headers of tokens) {
      const answer = await rawGet(tapped.port, '/metrics', headers);
      expect(answer.status).toBe(404);
      expect(answer.body).not.toContain('tessera_');
    }
  });

  it('are served on the metrics port to a scraper with the bearer token only', async () => {
    const wrong: Record<string, string>[] = [
      {},
      { authorization: `Bearer ${METRICS_TOKEN}x` },
      { authorization: METRICS_TOKEN },
    ];
    for (const headers of wrong) {
      const refused = await rawGet(metricsPort, '/metrics', headers);
      expect(refused.status).toBe(401);
      expect(refused.headers['www-authenticate']).toBe('Bearer realm="metrics"');
      expect(JSON.parse(refused.body)).toMatchObject({
        errors: [{ extensions: { code: 'UNAUTHENTICATED' } }],
      });
    }
    const scraped = await rawGet(metricsPort, '/metrics', {
      authorization: `Bearer ${METRICS_TOKEN}`,
    });
    expect(scraped.status).toBe(200);
    expect(scraped.body).toContain('tessera_http_requests_total');
  });

  it('share their port with health and readiness only', async () => {
    expect((await rawGet(metricsPort, '/readyz')).status).toBe(200);
    expect((await rawGet(metricsPort, '/healthz')).status).toBe(200);
    expect((await rawGet(metricsPort, '/graphql')).status).toBe(404);
    expect((await rawGet(metricsPort, `/blobs/${tenantId}/${randomUUID()}`)).status).toBe(404);
  });
});
