import type { ApolloServer } from '@apollo/server';
import { buildSchema, parse, type OperationDefinitionNode } from 'graphql';
import { anonymousContext, type RequestContext } from '../../platform/context/request-context';
import type { PublishedEvent } from '../../platform/events/channel';
import type { GatewayContext } from '../gateway-context';
import { eventRenderer } from '../subscriptions/event-rendering';
import { rootSelection } from '../subscriptions/selection';

// The API schema's Event, cut down to the fields a live event carries.
const schema = buildSchema(`
  scalar JSON
  type Event {
    id: ID!
    seq: String!
    type: String!
    payload: JSON!
    requestId: String
    ip: String
    userAgent: String
    occurredAt: String!
  }
  type Query { ok: Boolean }
  type Subscription { events(types: [String!], afterSeq: String): Event! }
`);

/** Local selections render without the gateway: a call to it fails the test. */
const apollo = {
  executeOperation: () => {
    throw new Error('a local selection was rendered through the gateway');
  },
} as unknown as ApolloServer<GatewayContext>;

const TENANT = '00000000-0000-4000-8000-000000000001';

function member(role: 'ADMIN' | 'VIEWER'): RequestContext {
  return {
    ...anonymousContext('req-1'),
    tenantId: TENANT,
    principal: { kind: 'user', id: '00000000-0000-4000-8000-00000000000a' },
    role,
  };
}

function event(seq: string): PublishedEvent {
  return {
    id: '00000000-0000-4000-8000-0000000000e1',
    tenantId: TENANT,
    seq,
    type: 'tenancy.tenant.updated',
    payload: { name: 'Acme' },
    actor: null,
    requestId: 'req-0',
    ip: '203.0.113.7',
    userAgent: 'curl/8',
    occurredAt: '2026-12-07T00:00:00.000Z',
  };
}

function rendererOf(
  query: string,
  variables: Record<string, unknown>,
  request: RequestContext = member('ADMIN'),
) {
  const document = parse(query);
  const selection = rootSelection(document.definitions[0] as OperationDefinitionNode, document)!;
  return eventRenderer(request, selection, document, variables, { apollo, schema });
}

describe('a live event rendered for several subscribers', () => {
  const FILTERED =
    'subscription ($types: [String!], $after: String) { events(types: $types, afterSeq: $after) { seq type payload } }';

  it('is rendered once for subscribers that differ only in the root field’s arguments', async () => {
    const published = event('7');
    const one = rendererOf(FILTERED, { types: ['tenancy.tenant.updated'], after: '3' });
    const other = rendererOf(FILTERED, { types: ['tenancy.tenant.updated', 'x.y.z'] });

    const [first, second] = await Promise.all([one.live(published), other.live(published)]);

    expect(first).toEqual({
      data: { events: { seq: '7', type: 'tenancy.tenant.updated', payload: { name: 'Acme' } } },
    });
    expect(second).toBe(first);
  });

  it('is rendered apart when a variable its selection uses differs', async () => {
    const query =
      'subscription ($types: [String!], $full: Boolean!) { events(types: $types) { seq payload @include(if: $full) } }';
    const published = event('8');

    const full = await rendererOf(query, { types: null, full: true }).live(published);
    const bare = await rendererOf(query, { types: null, full: false }).live(published);

    expect(full).toEqual({ data: { events: { seq: '8', payload: { name: 'Acme' } } } });
    expect(bare).toEqual({ data: { events: { seq: '8' } } });
  });

  it('is rendered apart when a variable of the root field’s own directives differs', async () => {
    const query = 'subscription ($on: Boolean!) { events @include(if: $on) { seq } }';
    const published = event('9');

    const shown = await rendererOf(query, { on: true }).live(published);
    const skipped = await rendererOf(query, { on: false }).live(published);

    expect(shown).toEqual({ data: { events: { seq: '9' } } });
    expect(skipped).toEqual({ data: {} });
  });

  it('shows the origin only to those who may read it, whatever they share', async () => {
    const query = 'subscription { events { seq ip userAgent } }';
    const published = event('10');

    const admin = await rendererOf(query, {}, member('ADMIN')).live(published);
    const viewer = await rendererOf(query, {}, member('VIEWER')).live(published);

    expect(admin).toEqual({
      data: { events: { seq: '10', ip: '203.0.113.7', userAgent: 'curl/8' } },
    });
    expect(viewer).toEqual({ data: { events: { seq: '10', ip: null, userAgent: null } } });
  });
});
