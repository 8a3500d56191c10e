import { tenantPurgeCall } from '../../../platform/contracts/subgraphs/tenant-purge';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { postGraphQL, dataOf } from '../../../testing/graphql-client';
import { signUpMember, type TestUser } from '../../../testing/members';
import { startStack, type TestStack } from '../../../testing/stack';
import {
  isChallenge,
  answerChallenge,
  startWebhookReceiver,
  type WebhookReceiver,
} from '../../../testing/webhook-receiver';
import { eventually } from '../../../testing/eventually';

// Tracing end to end: every process exports to an OTLP/HTTP receiver in this test, and one
// request's spans arrive from the gateway, the subgraphs it fetched from and the worker that
// ran the job it enqueued (or delivered the webhooks of the event it wrote), in one trace,
// each with the request id.

interface ReceivedSpan {
  service: string;
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  attributes: Record<string, unknown>;
}

let receiver: Server;
let webhooks: WebhookReceiver;
const spans: ReceivedSpan[] = [];
let stack: TestStack;
let owner: TestUser;
const tenant = randomUUID();

type AnyValue = { stringValue?: string; intValue?: string | number; boolValue?: boolean };
interface ExportBody {
  resourceSpans?: {
    resource?: { attributes?: { key: string; value: AnyValue }[] };
    scopeSpans?: {
      spans?: {
        traceId: string;
        spanId: string;
        parentSpanId?: string;
        name: string;
        attributes?: { key: string; value: AnyValue }[];
      }[];
    }[];
  }[];
}

const valueOf = (value: AnyValue) => value.stringValue ?? value.intValue ?? value.boolValue;
const attributesOf = (list: { key: string; value: AnyValue }[] = []) =>
  Object.fromEntries(list.map(({ key, value }) => [key, valueOf(value)]));

/** An OTLP/HTTP (JSON) collector: what OTEL_EXPORTER_OTLP_ENDPOINT points at. */
async function startReceiver(): Promise<string> {
  receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      if (req.url === '/v1/traces') {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as ExportBody;
        for (const resource of body.resourceSpans ?? []) {
          const service = String(attributesOf(resource.resource?.attributes)['service.name']);
          for (const scope of resource.scopeSpans ?? []) {
            for (const span of scope.spans ?? []) {
              spans.push({
                service,
                traceId: span.traceId,
                spanId: span.spanId,
                parentSpanId: span.parentSpanId || undefined,
                name: span.name,
                attributes: attributesOf(span.attributes),
              });
            }
          }
        }
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{}');
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
}

beforeAll(async () => {
  const endpoint = await startReceiver();
  stack = await startStack({
    worker: true,
    env: {
      OTEL_EXPORTER_OTLP_ENDPOINT: endpoint,
      OTEL_BSP_SCHEDULE_DELAY: '100',
      OUTBOUND_ALLOWED_CIDRS: '127.0.0.0/8',
      WEBHOOK_RETRY_SCHEDULE: '100ms',
    },
  });
  webhooks = await startWebhookReceiver();
  await stack.db.query(`INSERT INTO tenancy.tenants (id, slug, name) VALUES ($1, 'traced', 'T')`, [
    tenant,
  ]);
  owner = await signUpMember(stack.gatewayUrl, stack.db, tenant, 'OWNER');
}, 120_000);

afterAll(async () => {
  await webhooks?.close();
  await stack?.stop();
  await new Promise((resolve) => receiver?.close(resolve));
});

/** The span's parents, nearest first, as far as they arrived. */
function ancestorsOf(span: ReceivedSpan): ReceivedSpan[] {
  const chain: ReceivedSpan[] = [];
  let current = span;
  for (;;) {
    const parent = spans.find(
      (candidate) =>
        candidate.traceId === current.traceId && candidate.spanId === current.parentSpanId,
    );
    if (!parent) return chain;
    chain.push(parent);
    current = parent;
  }
}

/**
 * The span's ancestors once every one of them has arrived (the last has no parent): each
 * process exports on its own timer, so a child's batch may come before its parents'.
 */
function wholeChainOf(span: ReceivedSpan): ReceivedSpan[] | undefined {
  const chain = ancestorsOf(span);
  const top = chain.at(-1) ?? span;
  return top.parentSpanId ? undefined : chain;
}

const withRequestId = (requestId: string) =>
  spans.filter((span) => span.attributes['tessera.request_id'] === requestId);

describe('tracing', () => {
  it('follows a query from the gateway into every subgraph it fetched from', async () => {
    const requestId = `trace-query-${randomUUID().slice(0, 8)}`;
    const response = await postGraphQL(
      stack.gatewayUrl,
      { query: 'query Traced { health { status } me { id } }' },
      { ...owner.headers(), 'x-request-id': requestId },
    );
    dataOf(response);
    const found = await eventually(() => {
      const mine = withRequestId(requestId);
      return Promise.resolve(
        mine.filter((span) => span.name === 'graphql.request').length >= 3 ? mine : undefined,
      );
    });
    const root = found.find((span) => span.service === 'tessera-gateway' && !span.parentSpanId)!;
    expect(root).toMatchObject({
      name: 'graphql.request',
      attributes: { 'graphql.operation.name': 'Traced', 'graphql.operation.type': 'query' },
    });
    expect(found.every((span) => span.traceId === root.traceId)).toBe(true);
    for (const subgraph of ['observability', 'auth']) {
      const fetch = found.find((span) => span.name === `subgraph.fetch ${subgraph}`)!;
      const served = found.find(
        (span) => span.service === `tessera-${subgraph}` && span.name === 'graphql.request',
      )!;
      expect(served.parentSpanId).toBe(fetch.spanId);
      // Each fetch of the query plan is a child of the request's own span.
      expect(ancestorsOf(fetch)).toEqual([root]);
    }
  });

  it('continues the trace into the worker through the job a mutation enqueued', async () => {
    const requestId = `trace-job-${randomUUID().slice(0, 8)}`;
    const doomed = randomUUID();
    await stack.db.query(
      `INSERT INTO tenancy.tenants (id, slug, name) VALUES ($1, 'traced-doomed', 'D')`,
      [doomed],
    );
    const doomedOwner = await signUpMember(stack.gatewayUrl, stack.db, doomed, 'OWNER');
    dataOf(
      await postGraphQL(
        stack.gatewayUrl,
        { query: 'mutation { deleteTenant(confirmSlug: "traced-doomed") }' },
        { ...doomedOwner.headers(doomed), 'x-request-id': requestId },
      ),
    );
    const job = await eventually(() =>
      Promise.resolve(
        withRequestId(requestId).find(
          (span) =>
            span.service === 'tessera-worker' &&
            span.name === 'job purge-tenant' &&
            wholeChainOf(span),
        ),
      ),
    );
    const trace = spans.filter((span) => span.traceId === job.traceId);
    const root = trace.find((span) => !span.parentSpanId)!;
    expect(root).toMatchObject({ service: 'tessera-gateway', name: 'graphql.request' });
    expect(root.attributes['tessera.request_id']).toBe(requestId);
    // The job's parent is tenancy's span, which enqueued it.
    const parent = trace.find((span) => span.spanId === job.parentSpanId)!;
    expect(parent).toMatchObject({ service: 'tessera-tenancy', name: 'graphql.request' });
    // And the job's calls to the subgraphs' purge routes are its children.
    await eventually(() =>
      Promise.resolve(
        spans.some(
          (span) =>
            span.parentSpanId === job.spanId &&
            span.name === `POST ${tenantPurgeCall.path}` &&
            span.traceId === job.traceId,
        ) || undefined,
      ),
    );
  });

  /** A verified endpoint of the tenant for `eventTypes`, answering each delivery with `answer`. */
  async function tracedEndpoint(eventTypes: string[], answer: (n: number) => number) {
    const route = `/traced-${randomUUID().slice(0, 8)}`;
    let deliveries = 0;
    let secret = '';
    webhooks.route(route, (request) =>
      isChallenge(request)
        ? answerChallenge(request, secret)
        : { status: answer(++deliveries), body: '' },
    );
    const { createWebhookEndpoint } = dataOf(
      await postGraphQL<{
        createWebhookEndpoint: { secret: string; endpoint: { id: string } };
      }>(
        stack.gatewayUrl,
        {
          query: `mutation ($input: WebhookEndpointInput!) {
            createWebhookEndpoint(input: $input) { secret endpoint { id } } }`,
          variables: { input: { url: `${webhooks.origin}${route}`, eventTypes } },
        },
        owner.headers(tenant),
      ),
    );
    const id = createWebhookEndpoint.endpoint.id;
    secret = createWebhookEndpoint.secret;
    dataOf(
      await postGraphQL(
        stack.gatewayUrl,
        {
          query: 'mutation ($id: ID!) { verifyWebhookEndpoint(id: $id) { status } }',
          variables: { id },
        },
        owner.headers(tenant),
      ),
    );
    return id;
  }

  const attemptsOf = (traceId: string, endpointId: string) =>
    spans.filter(
      (span) =>
        span.traceId === traceId &&
        span.name === 'webhook.attempt' &&
        span.attributes['tessera.webhook.endpoint_id'] === endpointId,
    );

  it('continues the trace of the request that wrote an event into each webhook delivery attempt', async () => {
    // Refused once, then accepted: two attempts, each a span under its own run of the job.
    const endpointId = await tracedEndpoint(['observability.alert_rule.created'], (n) =>
      n === 1 ? 500 : 204,
    );
    const requestId = `trace-webhook-${randomUUID().slice(0, 8)}`;
    dataOf(
      await postGraphQL(
        stack.gatewayUrl,
        {
          query: `mutation ($input: AlertRuleInput!) { createAlertRule(input: $input) { id } }`,
          variables: {
            input: {
              name: 'traced rule',
              metric: 'tessera_journal_events_total',
              comparator: '>',
              threshold: 60,
              forSeconds: 60,
              severity: 'INFO',
              channels: ['log'],
            },
          },
        },
        { ...owner.headers(tenant), 'x-request-id': requestId },
      ),
    );
    const root = await eventually(() =>
      Promise.resolve(
        withRequestId(requestId).find(
          (span) => span.service === 'tessera-gateway' && !span.parentSpanId,
        ),
      ),
    );
    const attempts = await eventually(() => {
      const found = attemptsOf(root.traceId, endpointId);
      const whole = found.length >= 2 && found.every((attempt) => wholeChainOf(attempt));
      return Promise.resolve(whole ? found : undefined);
    });
    const byAttempt = [...attempts].sort(
      (a, b) =>
        Number(a.attributes['tessera.webhook.attempt']) -
        Number(b.attributes['tessera.webhook.attempt']),
    );
    expect(byAttempt.map((span) => span.attributes)).toEqual([
      expect.objectContaining({
        'tessera.request_id': requestId,
        'tessera.webhook.attempt': 1,
        'tessera.webhook.outcome': 'failed',
        'http.response.status_code': 500,
      }),
      expect.objectContaining({
        'tessera.request_id': requestId,
        'tessera.webhook.attempt': 2,
        'tessera.webhook.outcome': 'succeeded',
        'http.response.status_code': 204,
      }),
    ]);
    // Each attempt's parent is a run of the delivery job, whose parent is the observability
    // request that appended the event, under the gateway's root.
    for (const attempt of byAttempt) {
      const job = spans.find((span) => span.spanId === attempt.parentSpanId)!;
      expect(job).toMatchObject({
        service: 'tessera-worker',
        name: 'job deliver-webhook',
        attributes: expect.objectContaining({ 'tessera.request_id': requestId }),
      });
      const appender = spans.find((span) => span.spanId === job.parentSpanId)!;
      expect(appender).toMatchObject({ service: 'tessera-observability', name: 'graphql.request' });
      expect(ancestorsOf(appender).at(-1)).toBe(root);
    }
  });

  it('continues the trace of the request that asked for a test delivery', async () => {
    const endpointId = await tracedEndpoint(['observability.alert_rule.deleted'], () => 200);
    const requestId = `trace-test-send-${randomUUID().slice(0, 8)}`;
    dataOf(
      await postGraphQL(
        stack.gatewayUrl,
        {
          query: 'mutation ($id: ID!) { sendTestWebhook(id: $id) { id } }',
          variables: { id: endpointId },
        },
        { ...owner.headers(tenant), 'x-request-id': requestId },
      ),
    );
    const attempt = await eventually(() =>
      Promise.resolve(
        withRequestId(requestId).find(
          (span) => span.name === 'webhook.attempt' && wholeChainOf(span),
        ),
      ),
    );
    expect(attempt.attributes).toMatchObject({
      'tessera.webhook.endpoint_id': endpointId,
      'tessera.webhook.outcome': 'succeeded',
      'http.response.status_code': 200,
    });
    const chain = ancestorsOf(attempt);
    expect(chain[0]).toMatchObject({ service: 'tessera-worker', name: 'job deliver-webhook' });
    expect(chain[1]).toMatchObject({ service: 'tessera-jobs', name: 'graphql.request' });
    expect(chain.at(-1)).toMatchObject({ service: 'tessera-gateway', name: 'graphql.request' });
  });
});
