import {
  createTenant,
  isAlive,
  startChaosStack,
  type ChaosTenant,
} from '../../testing/chaos/fixtures';
import {
  sendCase,
  sendRaw,
  sendWsCase,
  type HttpCase,
  type RawAnswer,
  type WsCase,
} from '../../testing/chaos/fuzz';
import { countCodes, describeCodes, reportScenario } from '../../testing/chaos/report';
import { postGraphQL } from '../../testing/graphql-client';
import type { TestStack } from '../../testing/stack';

// Bad input against every public endpoint of the gateway: HTTP GraphQL (POST and GET),
// graphql-ws, /metrics, /healthz, /readyz and /.well-known/jwks.json. Every answer must be a
// coded error (GraphQL endpoints) or a plain 4xx (the others), no 5xx may come without a
// request id, nothing may hang, and every process must still be alive and ready afterwards.

const BODY_LIMIT = 1024 * 1024;
let stack: TestStack;
let tenant: ChaosTenant;

beforeAll(async () => {
  stack = await startChaosStack({ worker: false });
  tenant = await createTenant(stack);
}, 120_000);

afterAll(async () => {
  await stack?.stop();
});

const JSON_TYPE = { 'content-type': 'application/json' };
const json = (value: unknown) => JSON.stringify(value);
const nested = (depth: number) => `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
const nestedList = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`;

/** POST /graphql cases: malformed JSON, invalid UTF-8, huge strings, deep nesting, wrong types. */
function graphqlCases(): HttpCase[] {
  const auth = () => tenant.owner.headers(tenant.tenantId);
  const post = (name: string, body: string | Buffer, headers: Record<string, string> = {}) => ({
    name,
    path: '/graphql',
    headers: { ...JSON_TYPE, ...headers },
    body,
  });
  const rename = (variables: string) =>
    post(
      `updateTenant with variables ${variables.slice(0, 40)}`,
      `{"query":"mutation ($n: String) { updateTenant(name: $n) { name } }","variables":${variables}}`,
      auth(),
    );
  return [
    // Malformed JSON and JSON of the wrong shape.
    ...[
      '{',
      '{"query":',
      '[',
      '}',
      'nul',
      '{"query":"{ health { status } }",}',
      "{'query':'x'}",
    ].map((body) => post(`malformed JSON ${body}`, body)),
    ...['null', '123', '"{ health { status } }"', '[]', 'true', '{}'].map((body) =>
      post(`JSON that is not a request: ${body}`, body),
    ),
    post(
      'batched requests',
      json([{ query: '{ health { status } }' }, { query: '{ me { id } }' }]),
    ),
    post('query is a number', json({ query: 5 })),
    post('query is an object', json({ query: { a: 1 } })),
    post('variables is a string', json({ query: '{ health { status } }', variables: 'x' })),
    post('variables is a list', json({ query: '{ health { status } }', variables: [1, 2] })),
    post('operationName is a number', json({ query: '{ health { status } }', operationName: 5 })),
    post('extensions is a string', json({ query: '{ health { status } }', extensions: 'x' })),
    post('unknown operationName', json({ query: '{ health { status } }', operationName: 'Nope' })),
    post(
      'persisted query hash only',
      json({ extensions: { persistedQuery: { version: 1, sha256Hash: 'a'.repeat(64) } } }),
    ),
    // Invalid UTF-8 and odd characters.
    post(
      'invalid UTF-8 in the query',
      Buffer.concat([
        Buffer.from('{"query":"{ health { st'),
        Buffer.from([0xff, 0xfe, 0xc3]),
        Buffer.from('atus } }"}'),
      ]),
    ),
    post(
      'invalid UTF-8 in a variable',
      Buffer.concat([
        Buffer.from(
          '{"query":"mutation ($n: String) { updateTenant(name: $n) { name } }","variables":{"n":"',
        ),
        Buffer.from([0xc0, 0xaf, 0xed, 0xa0, 0x80]),
        Buffer.from('"}}'),
      ]),
      auth(),
    ),
    post(
      'lone surrogate in a variable',
      '{"query":"mutation ($n: String) { updateTenant(name: $n) { name } }","variables":{"n":"\\ud800"}}',
      auth(),
    ),
    post(
      'NUL in a variable',
      json({
        query: 'mutation ($n: String) { updateTenant(name: $n) { name } }',
        variables: { n: 'a\u0000b' },
      }),
      auth(),
    ),
    post('NUL in the query', json({ query: '{ health\u0000 { status } }' })),
    post(
      'UTF-8 BOM before the body',
      Buffer.concat([
        Buffer.from([0xef, 0xbb, 0xbf]),
        Buffer.from(json({ query: '{ health { status } }' })),
      ]),
    ),
    // Huge strings, under and over the body limit.
    post(
      'a 900 KB query of whitespace',
      json({ query: `{ health { status } }${' '.repeat(900_000)}` }),
    ),
    post('a 900 KB field name', json({ query: `{ ${'a'.repeat(900_000)} }` })),
    post(
      'a 900 KB string variable',
      json({
        query: 'mutation ($n: String) { updateTenant(name: $n) { name } }',
        variables: { n: 'x'.repeat(900_000) },
      }),
      auth(),
    ),
    post('100 000 tokens', json({ query: `{ ${'health { status } '.repeat(25_000)} }` })),
    post(
      '10 000 aliases',
      json({
        query: `{ ${Array.from({ length: 10_000 }, (_, i) => `a${i}: health { status }`).join(' ')} }`,
      }),
    ),
    post(
      'a query nested 5 000 deep',
      json({ query: `${'{ a '.repeat(5_000)}${'}'.repeat(5_000)}` }),
    ),
    post('a fragment spreading itself', json({ query: '{ ...A } fragment A on Query { ...A }' })),
    post(
      '10 000 directives',
      json({ query: `{ health ${'@include(if: true) '.repeat(10_000)} { status } }` }),
    ),
    // Deeply nested variables.
    post(
      'variables nested 1 000 deep',
      `{"query":"{ health { status } }","variables":${nested(1_000)}}`,
    ),
    post(
      'variables nested 100 000 deep',
      `{"query":"{ health { status } }","variables":${nested(100_000)}}`,
    ),
    post(
      'a list variable nested 100 000 deep',
      `{"query":"{ health { status } }","variables":{"x":${nestedList(100_000)}}}`,
    ),
    rename(`{"n":${nested(50_000)}}`),
    // Wrong types for declared variables and arguments.
    rename('{"n":12}'),
    rename('{"n":{"a":1}}'),
    rename('{"n":[1,2]}'),
    rename('{"n":true}'),
    post(
      'first is a string',
      json({
        query: 'query ($f: Int) { events(first: $f) { nodes { seq } } }',
        variables: { f: 'abc' },
      }),
      auth(),
    ),
    post(
      'first is 1e309',
      '{"query":"query ($f: Int) { events(first: $f) { nodes { seq } } }","variables":{"f":1e309}}',
      auth(),
    ),
    post(
      'first is 2^53',
      json({
        query: 'query ($f: Int) { events(first: $f) { nodes { seq } } }',
        variables: { f: 2 ** 53 },
      }),
      auth(),
    ),
    post('first is -1', json({ query: '{ events(first: -1) { nodes { seq } } }' }), auth()),
    post(
      'afterSeq is not a number',
      json({ query: '{ events(afterSeq: "abc") { nodes { seq } } }' }),
      auth(),
    ),
    post(
      'since is not a date',
      json({ query: '{ events(since: "yesterday") { nodes { seq } } }' }),
      auth(),
    ),
    post(
      'an unknown variable type',
      json({ query: 'query ($x: Nope) { health { status } }', variables: { x: 1 } }),
    ),
    post(
      'a cursor of garbage',
      json({ query: '{ events(first: 5, after: "%%%") { nodes { seq } } }' }),
      auth(),
    ),
    // Oversized bodies: declared, and streamed without a length.
    post('a 2 MB body', json({ query: '{ health { status } }', pad: 'x'.repeat(2 * BODY_LIMIT) })),
    {
      ...post(
        'a 2 MB chunked body',
        json({ query: '{ health { status } }', pad: 'x'.repeat(2 * BODY_LIMIT) }),
      ),
      chunked: true,
    },
    // Wrong content types and methods.
    post('text/plain', json({ query: '{ health { status } }' }), { 'content-type': 'text/plain' }),
    post('form encoded', 'query=%7B+health+%7B+status+%7D+%7D', {
      'content-type': 'application/x-www-form-urlencoded',
    }),
    post(
      'multipart',
      '--x\r\nContent-Disposition: form-data; name="operations"\r\n\r\n{}\r\n--x--',
      { 'content-type': 'multipart/form-data; boundary=x' },
    ),
    post('no content type', json({ query: '{ health { status } }' }), { 'content-type': '' }),
    post('a content type of garbage', json({ query: '{ health { status } }' }), {
      'content-type': '\u00ff/\u00fe',
    }),
    ...['PUT', 'DELETE', 'PATCH'].map((method) => ({
      ...post(`${method} /graphql`, json({ query: '{ health { status } }' })),
      method,
    })),
    // Garbage credentials and tenant headers.
    post('a garbage bearer token', json({ query: '{ me { id } }' }), {
      authorization: 'Bearer ' + 'x'.repeat(4_000),
    }),
    post('a malformed authorization header', json({ query: '{ me { id } }' }), {
      authorization: 'Basic %%%',
    }),
    post('a garbage API key', json({ query: '{ tenant { id } }' }), {
      'x-api-key': 'tsk_' + '\u00ff'.repeat(100),
    }),
    post('a tenant id that is no UUID', json({ query: '{ tenant { id } }' }), {
      'x-tenant-id': "1' OR '1'='1",
    }),
    post('two tenant ids', json({ query: '{ tenant { id } }' }), {
      'x-tenant-id': `${tenant.tenantId}, ${tenant.tenantId}`,
    }),
    post('a garbage session cookie', json({ query: '{ me { id } }' }), {
      cookie: 'tessera_access=%%%; tessera_csrf=',
    }),
    post('a request id full of control characters', json({ query: '{ health { status } }' }), {
      'x-request-id': 'a\tb'.repeat(50),
    }),
  ];
}

/** GET /graphql (queries in the URL) and the other public routes. */
function otherHttpCases(): HttpCase[] {
  const get = (name: string, path: string, headers: Record<string, string> = {}) => ({
    name,
    method: 'GET',
    path,
    headers: { 'apollo-require-preflight': 'true', ...headers },
  });
  const routes = ['/metrics', '/healthz', '/readyz', '/.well-known/jwks.json'];
  return [
    get('GET with a query', '/graphql?query=%7B%20health%20%7B%20status%20%7D%20%7D'),
    get('GET with invalid UTF-8 in the query', '/graphql?query=%ff%fe'),
    get(
      'GET with variables that are not JSON',
      '/graphql?query=%7B%20health%20%7B%20status%20%7D%20%7D&variables=%7Bnope',
    ),
    get(
      'GET with extensions that are not JSON',
      '/graphql?query=%7B%20health%20%7B%20status%20%7D%20%7D&extensions=%7B',
    ),
    get('GET with a mutation', '/graphql?query=mutation%20%7B%20signOut%20%7D'),
    get(
      'GET with a 12 KB query',
      `/graphql?query=${'%20'.repeat(4_000)}%7B%20health%20%7B%20status%20%7D%20%7D`,
    ),
    get(
      'GET without the preflight header',
      '/graphql?query=%7B%20health%20%7B%20status%20%7D%20%7D',
      { 'apollo-require-preflight': '' },
    ),
    get('GET with the query twice', '/graphql?query=a&query=b'),
    ...routes.flatMap((route) => [
      get(`GET ${route}`, route),
      get(`GET ${route} with a query string of garbage`, `${route}?%%%=%ff&a[]=1`),
      { name: `POST garbage to ${route}`, path: route, headers: JSON_TYPE, body: '{{{' },
      {
        name: `PUT 2 MB to ${route}`,
        method: 'PUT',
        path: route,
        body: 'x'.repeat(2 * BODY_LIMIT),
        mayHangUp: true,
      },
      { name: `DELETE ${route}`, method: 'DELETE', path: route },
      {
        name: `OPTIONS ${route} from a stranger`,
        method: 'OPTIONS',
        path: route,
        headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' },
      },
    ]),
    get('an unknown path', '/nope'),
    get('a path of invalid UTF-8', '/%ff%fe%fd'),
    get('a double slash', '//graphql'),
    get('a 10 KB path', `/${'a'.repeat(10_000)}`),
  ];
}

/** Bytes that are not HTTP, or HTTP no client library would send. */
function rawCases(port: number): { name: string; bytes: Buffer | string }[] {
  const request = (head: string, body = '') => `${head}\r\nHost: 127.0.0.1:${port}\r\n\r\n${body}`;
  return [
    { name: 'not HTTP at all', bytes: 'hello\r\n\r\n' },
    {
      name: 'binary garbage',
      bytes: Buffer.from(Array.from({ length: 512 }, (_, i) => (i * 37) % 256)),
    },
    { name: 'an unknown method', bytes: request('BREW /graphql HTTP/1.1') },
    {
      name: 'invalid UTF-8 in the request line',
      bytes: Buffer.concat([
        Buffer.from('GET /graphql?q='),
        Buffer.from([0xff, 0x00, 0xfe]),
        Buffer.from(` HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n\r\n`),
      ]),
    },
    {
      name: 'a 32 KB header',
      bytes: request(`GET /healthz HTTP/1.1\r\nX-Big: ${'a'.repeat(32_000)}`),
    },
    { name: 'a header without a colon', bytes: request('GET /healthz HTTP/1.1\r\nnocolon') },
    {
      name: 'a Content-Length that is not a number',
      bytes: request(
        'POST /graphql HTTP/1.1\r\nContent-Type: application/json\r\nContent-Length: abc',
        '{}',
      ),
    },
    {
      name: 'two different Content-Lengths',
      bytes: request(
        'POST /graphql HTTP/1.1\r\nContent-Type: application/json\r\nContent-Length: 2\r\nContent-Length: 5',
        '{}',
      ),
    },
    {
      name: 'Content-Length and chunked at once',
      bytes: request(
        'POST /graphql HTTP/1.1\r\nContent-Type: application/json\r\nContent-Length: 2\r\nTransfer-Encoding: chunked',
        '0\r\n\r\n',
      ),
    },
    {
      name: 'a chunk size of garbage',
      bytes: request(
        'POST /graphql HTTP/1.1\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked',
        'zz\r\n{}\r\n0\r\n\r\n',
      ),
    },
    {
      name: 'a body shorter than its Content-Length',
      bytes: request(
        'POST /graphql HTTP/1.1\r\nContent-Type: application/json\r\nContent-Length: 1000',
        '{"query":',
      ),
    },
    { name: 'HTTP/0.9', bytes: 'GET /healthz\r\n' },
    { name: 'a path with dot segments', bytes: request('GET /graphql/../metrics HTTP/1.1') },
    {
      name: 'a 100 KB request line',
      bytes: request(`GET /graphql?query=${'a'.repeat(100_000)} HTTP/1.1`),
    },
    { name: 'HTTP/2 preface', bytes: 'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n' },
    {
      name: 'a WebSocket upgrade without a key',
      bytes: request('GET /graphql HTTP/1.1\r\nConnection: Upgrade\r\nUpgrade: websocket'),
    },
    {
      name: 'a WebSocket upgrade of an unknown version',
      bytes: request(
        'GET /graphql HTTP/1.1\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n' +
          'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 99',
      ),
    },
    {
      name: 'a WebSocket upgrade to /metrics',
      bytes: request(
        'GET /metrics HTTP/1.1\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n' +
          'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13',
      ),
    },
  ];
}

/** graphql-ws frames: garbage, wrong order, wrong shapes, too big; and bad upgrades. */
function wsCases(): WsCase[] {
  const init = json({ type: 'connection_init', payload: tenant.connectionParams });
  const subscribe = (id: unknown, payload: unknown) => json({ type: 'subscribe', id, payload });
  return [
    { name: 'a frame that is not JSON', frames: ['{nope'] },
    { name: 'binary garbage', frames: [Buffer.from([0xff, 0xfe, 0x00, 0x01])] },
    { name: 'a text frame of invalid UTF-8', frames: [Buffer.from([0xc3, 0x28])] },
    { name: 'JSON that is not a message', frames: ['[1,2,3]'] },
    { name: 'an unknown message type', frames: [json({ type: 'hello' })] },
    {
      name: 'subscribe before connection_init',
      frames: [subscribe('1', { query: 'subscription { events { seq } }' })],
    },
    { name: 'connection_init twice', frames: [init, init] },
    {
      name: 'connection_init with a payload that is not an object',
      frames: [json({ type: 'connection_init', payload: 'x' })],
    },
    {
      name: 'connection_init with garbage credentials',
      frames: [
        json({
          type: 'connection_init',
          payload: { authorization: 'Bearer \u0000', tenantId: '%%%' },
        }),
      ],
    },
    {
      name: 'subscribe without an id',
      frames: [
        init,
        json({ type: 'subscribe', payload: { query: 'subscription { events { seq } }' } }),
      ],
    },
    { name: 'subscribe with a payload of garbage', frames: [init, subscribe('1', 'x')] },
    {
      name: 'subscribe with a query that is not GraphQL',
      frames: [init, subscribe('1', { query: '}}}' })],
    },
    {
      name: 'subscribe with variables of the wrong type',
      frames: [
        init,
        subscribe('1', {
          query: 'subscription ($a: String) { events(afterSeq: $a) { seq } }',
          variables: { a: { x: 1 } },
        }),
      ],
    },
    {
      name: 'subscribe twice with one id',
      frames: [
        init,
        subscribe('1', { query: 'subscription { events { seq } }' }),
        subscribe('1', { query: 'subscription { events { seq } }' }),
      ],
    },
    {
      name: 'subscribe with a 100 KB id',
      frames: [init, subscribe('x'.repeat(100_000), { query: 'subscription { events { seq } }' })],
    },
    {
      name: 'subscribe with deeply nested variables',
      frames: [
        init,
        `{"type":"subscribe","id":"1","payload":{"query":"subscription { events { seq } }","variables":${nested(100_000)}}}`,
      ],
    },
    { name: 'complete for an unknown id', frames: [init, json({ type: 'complete', id: 'nope' })] },
    { name: 'a 2 MB frame', frames: [init, 'x'.repeat(2 * 1024 * 1024)] },
    {
      name: 'a 100 000-token subscription',
      frames: [
        init,
        subscribe('1', { query: `subscription { events { ${'seq '.repeat(100_000)} } }` }),
      ],
    },
    { name: 'another subprotocol', protocol: 'graphql-ws', frames: [init] },
    { name: 'no subprotocol', protocol: null, frames: [init] },
    { name: 'an upgrade on /metrics', path: '/metrics', frames: [init] },
  ];
}

type Finding = string;

/** What must hold of an answer from a GraphQL endpoint: a code, or data without errors. */
function checkGraphQL(name: string, answer: RawAnswer): Finding[] {
  const findings = checkAny(name, answer);
  if (answer.status === 0) return findings;
  let body: { data?: unknown; errors?: { extensions?: { code?: unknown } }[] } | undefined;
  try {
    body = JSON.parse(answer.body) as typeof body;
  } catch {
    return [
      ...findings,
      `${name}: ${answer.status} answer is not JSON: ${answer.body.slice(0, 80)}`,
    ];
  }
  const uncoded = body?.errors?.filter((error) => typeof error.extensions?.code !== 'string');
  if (uncoded?.length) findings.push(`${name}: error without a code: ${answer.body.slice(0, 120)}`);
  // Every case is the client's mistake: an internal error means the server did not see it.
  if (body?.errors?.some((error) => error.extensions?.code === 'INTERNAL_SERVER_ERROR')) {
    findings.push(`${name}: INTERNAL_SERVER_ERROR (${answer.status}) for bad input`);
  }
  if (!body?.errors && (answer.status !== 200 || body?.data === undefined)) {
    findings.push(`${name}: ${answer.status} with neither data nor errors`);
  }
  return findings;
}

/** What must hold of any answer: one came, and a 5xx carries a request id. */
function checkAny(name: string, answer: RawAnswer): Finding[] {
  if (answer.status === 0) return [`${name}: no answer (${answer.error})`];
  if (answer.status >= 500 && !answer.headers['x-request-id'] && !/requestId/.test(answer.body)) {
    return [`${name}: ${answer.status} without a request id: ${answer.body.slice(0, 80)}`];
  }
  return [];
}

it('answers every malformed request with a coded error and keeps running', async () => {
  const gateway = stack.processes.get('gateway')!;
  const findings: Finding[] = [];
  const statuses: { code: string }[] = [];
  const record = (answer: RawAnswer, name = '') => {
    statuses.push({ code: answer.status ? String(answer.status) : `no answer` });
    if (process.env.CHAOS_VERBOSE)
      process.stdout.write(`  ${answer.status} ${name}: ${answer.body.slice(0, 160)}\n`);
  };

  for (const testCase of graphqlCases()) {
    const answer = await sendCase(gateway.url, testCase);
    record(answer, testCase.name);
    findings.push(...checkGraphQL(testCase.name, answer));
  }
  for (const testCase of otherHttpCases()) {
    const answer = await sendCase(gateway.url, testCase);
    record(answer, testCase.name);
    if (testCase.mayHangUp && answer.status === 0 && answer.error !== 'TIMEOUT') continue;
    const check = testCase.path.startsWith('/graphql') ? checkGraphQL : checkAny;
    findings.push(...check(testCase.name, answer));
  }
  const raw = rawCases(gateway.port);
  for (const testCase of raw) {
    const answer = await sendRaw(gateway.port, testCase.bytes);
    record(answer, testCase.name);
    // Not HTTP, or HTTP no client sends: still a coded refusal with a request id.
    if (answer.status === 0) findings.push(`${testCase.name}: no answer`);
    else if (answer.status >= 400 && !answer.headers['x-request-id']) {
      findings.push(`${testCase.name}: ${answer.status} without a request id`);
    } else if (answer.status >= 400 && !/"code"/.test(answer.body)) {
      findings.push(`${testCase.name}: ${answer.status} without a code`);
    }
  }
  const closeCodes: { code: string }[] = [];
  for (const testCase of wsCases()) {
    const answer = await sendWsCase(gateway.url, testCase);
    closeCodes.push({
      code: answer.httpStatus ? `HTTP ${answer.httpStatus}` : String(answer.code),
    });
    if (process.env.CHAOS_VERBOSE) {
      const messages = answer.messages.join(' ').slice(0, 160);
      process.stdout.write(
        `  ws ${answer.httpStatus ?? answer.code} ${testCase.name}: ${answer.reason} ${messages}\n`,
      );
    }
    // Refused at the upgrade, or closed with a code that says why: never dropped (1006).
    if (!answer.httpStatus && (answer.code === 1006 || answer.code === 1005)) {
      findings.push(`ws ${testCase.name}: dropped without a close code (${answer.code})`);
    }
    for (const message of answer.messages) {
      const parsed = JSON.parse(message) as { type: string; payload?: unknown };
      const errors =
        parsed.type === 'error'
          ? (parsed.payload as { extensions?: { code?: unknown } }[])
          : parsed.type === 'next'
            ? ((parsed.payload as { errors?: { extensions?: { code?: unknown } }[] }).errors ?? [])
            : [];
      if (errors.some((error) => typeof error.extensions?.code !== 'string')) {
        findings.push(`ws ${testCase.name}: an error without a code: ${message.slice(0, 120)}`);
      }
    }
    if (answer.httpStatus && answer.httpStatus >= 500)
      findings.push(`ws ${testCase.name}: HTTP ${answer.httpStatus}`);
    // An upgrade refused in HTTP says why like any other refusal: a code and a request id.
    if (answer.httpStatus && answer.httpStatus >= 400) {
      if (!answer.requestId)
        findings.push(`ws ${testCase.name}: HTTP refusal without a request id`);
      if (!/"code"/.test(answer.httpBody ?? ''))
        findings.push(`ws ${testCase.name}: HTTP refusal without a code`);
    }
  }

  // Everyone is still alive and ready, and a plain query works.
  const alive = [...stack.processes].map(([name, service]) => [
    name,
    isAlive(service.child.pid) && service.child.exitCode === null,
  ]);
  const ready = await Promise.all(
    [...stack.processes].map(async ([name, service]) => [
      name,
      (await fetch(`${service.url}/readyz`)).status,
    ]),
  );
  const plain = await postGraphQL(
    stack.gatewayUrl,
    { query: '{ me { id } }' },
    tenant.owner.headers(),
  );

  const cases = graphqlCases().length + otherHttpCases().length + raw.length;
  reportScenario({
    scenario: 'bad-input-fuzz',
    eventsWritten: 0,
    eventsReceived: 0,
    deliveries: 0,
    duplicates: 0,
    lost: 0,
    recoveryMs: null,
    notes:
      `${cases} HTTP cases (${describeCodes(countCodes(statuses))}); ${wsCases().length} graphql-ws cases (close ${describeCodes(countCodes(closeCodes))}); ` +
      `${findings.length} findings; all processes alive and ready: ${alive.every(([, up]) => up) && ready.every(([, status]) => status === 200)}`,
  });
  for (const finding of findings) process.stdout.write(`  finding: ${finding}\n`);
  if (process.env.CHAOS_VERBOSE) {
    for (const log of stack.logs) {
      if (log.entry && /error|50|60/.test(String(log.entry.level)))
        process.stdout.write(`  log ${log.service}: ${log.line.slice(0, 1500)}\n`);
    }
  }

  expect(findings).toEqual([]);
  expect(alive.filter(([, up]) => !up)).toEqual([]);
  expect(ready.filter(([, status]) => status !== 200)).toEqual([]);
  expect(plain.body.errors).toBeUndefined();
}, 180_000);
