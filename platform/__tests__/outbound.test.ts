import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createServer as createTlsServer, type Server as TlsServer } from 'node:tls';
import { ConfigError, parseConfig } from '../config/load';
import {
  outbound,
  outboundPolicyFromConfig,
  refuseMetadataCidrsInProduction,
} from '../config/outbound';
import { environment } from '../config/service';
import { assertSafeUrl, type Resolver } from '../outbound/vet-url';
import { isForbiddenAddress } from '../outbound/address-filter';
import { OutboundRequestError } from '../outbound/errors';
import { safeFetch } from '../outbound/safe-fetch';
import { type OutboundPolicy } from '../outbound/policy';

// Real sockets against servers on 127.0.0.1, reachable only through an allowedCidrs exception.
// DNS is real too (`localhost`, `.invalid`), except where a test needs a name with chosen
// answers: no test DNS server is available here, so those tests pass a resolver function
// that replaces DNS and say so.

const strict: OutboundPolicy = { allowedCidrs: [], timeoutMs: 5_000, maxResponseBytes: 64 * 1024 };
const local: OutboundPolicy = { ...strict, allowedCidrs: ['127.0.0.0/8'] };

let server: Server;
let base: string;
let port: number;
const hits: string[] = [];

function handle(req: IncomingMessage, res: ServerResponse): void {
  const path = req.url ?? '/';
  hits.push(path);
  if (path === '/redirect') {
    res.writeHead(302, { location: `${base}/target` }).end();
  } else if (path === '/never') {
    // Holds the request open without a byte of response.
  } else if (path === '/trickle') {
    res.writeHead(200, { 'content-type': 'text/plain' });
    const drip = setInterval(() => res.write('x'), 20);
    res.on('close', () => clearInterval(drip));
  } else if (path === '/huge' || path === '/huge-declared') {
    const chunk = Buffer.alloc(16 * 1024, 'SECRET-BODY ');
    const chunks = 256; // 4 MiB
    res.writeHead(
      200,
      path === '/huge-declared' ? { 'content-length': String(chunk.length * chunks) } : {},
    );
    let sent = 0;
    const pump = () => {
      while (sent < chunks && !res.destroyed) {
        sent += 1;
        if (!res.write(chunk)) return void res.once('drain', pump);
      }
      res.end();
    };
    pump();
  } else {
    const body: Buffer[] = [];
    req.on('data', (part: Buffer) => body.push(part));
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/json', 'set-cookie': ['a=1', 'b=2'] });
      res.end(
        JSON.stringify({
          method: req.method,
          path,
          host: req.headers.host,
          body: Buffer.concat(body).toString('utf8'),
        }),
      );
    });
  }
}

function listen<S extends Server | TlsServer>(created: S): Promise<number> {
  return new Promise((resolve) =>
    created.listen(0, '127.0.0.1', () => resolve((created.address() as AddressInfo).port)),
  );
}

async function refusal(promise: Promise<unknown>): Promise<OutboundRequestError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof OutboundRequestError) return error;
    throw error;
  }
  throw new Error('expected the request to be refused');
}

/** Stands in for DNS: answers each name from the table and counts the questions. */
function fakeDns(answers: Record<string, string[]>): Resolver & { calls: string[] } {
  const calls: string[] = [];
  const resolver = async (hostname: string) => {
    calls.push(hostname);
    return (answers[hostname] ?? []).map((address) => ({
      address,
      family: address.includes(':') ? 6 : 4,
    }));
  };
  return Object.assign(resolver, { calls });
}

beforeAll(async () => {
  server = createServer(handle);
  port = await listen(server);
  base = `http://127.0.0.1:${port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

describe('isForbiddenAddress', () => {
  const refused: [string, string][] = [
    ['IPv4 loopback', '127.0.0.1'],
    ['IPv4 loopback, end of range', '127.255.255.254'],
    ['IPv6 loopback', '::1'],
    ['IPv4 unspecified', '0.0.0.0'],
    ['this network', '0.1.2.3'],
    ['IPv6 unspecified', '::'],
    ['private 10/8', '10.0.0.1'],
    ['private 172.16/12', '172.16.0.1'],
    ['private 172.16/12, end of range', '172.31.255.255'],
    ['private 192.168/16', '192.168.1.1'],
    ['unique local fc00::/7', 'fc00::1'],
    ['unique local fd00::/8', 'fd12:3456::1'],
    ['link-local 169.254/16', '169.254.1.1'],
    ['link-local fe80::/10', 'fe80::1'],
    ['link-local fe80::/10, end of range', 'febf::1'],
    ['site-local fec0::/10', 'fec0::1'],
    ['carrier-grade NAT 100.64/10', '100.64.0.1'],
    ['carrier-grade NAT, end of range', '100.127.255.254'],
    ['IPv4 multicast', '224.0.0.1'],
    ['IPv4 multicast, end of range', '239.255.255.255'],
    ['IPv6 multicast', 'ff02::1'],
    ['IETF protocol assignments 192.0.0/24', '192.0.0.8'],
    ['documentation 192.0.2/24', '192.0.2.1'],
    ['benchmarking 198.18/15', '198.19.0.1'],
    ['documentation 198.51.100/24', '198.51.100.7'],
    ['documentation 203.0.113/24', '203.0.113.9'],
    ['reserved 240/4', '240.0.0.1'],
    ['broadcast', '255.255.255.255'],
    ['6to4 relay anycast', '192.88.99.1'],
    ['IPv6 documentation 2001:db8::/32', '2001:db8::1'],
    ['IPv6 documentation 3fff::/20', '3fff::1'],
    ['Teredo', '2001:0:4136:e378:8000:63bf:3fff:fdd2'],
    ['discard-only 100::/64', '100::1'],
    ['outside global unicast', '4000::1'],
    ['local-use NAT64', '64:ff9b:1::a00:1'],
    ['NAT64 carrying loopback', '64:ff9b::7f00:1'],
    ['NAT64 carrying private, dotted', '64:ff9b::10.0.0.1'],
    ['NAT64 carrying metadata', '64:ff9b::169.254.169.254'],
    ['6to4 carrying private', '2002:c0a8:101::1'],
    ['6to4 carrying loopback', '2002:7f00:1::'],
    ['AWS/GCP/Azure metadata', '169.254.169.254'],
    ['AWS metadata over IPv6', 'fd00:ec2::254'],
    ['AWS metadata over IPv6, long form', 'fd00:0ec2:0000:0000:0000:0000:0000:0254'],
    ['Alibaba metadata', '100.100.100.200'],
    ['IPv4-mapped loopback, dotted', '::ffff:127.0.0.1'],
    ['IPv4-mapped loopback, hex', '::ffff:7f00:1'],
    ['IPv4-mapped loopback, long form', '0:0:0:0:0:ffff:7f00:0001'],
    ['IPv4-mapped private', '::ffff:10.1.2.3'],
    ['IPv4-mapped metadata', '::ffff:169.254.169.254'],
    ['IPv4-compatible loopback', '::127.0.0.1'],
    ['IPv4-compatible private', '::10.0.0.1'],
    ['IPv4-translated loopback', '::ffff:0:127.0.0.1'],
    ['a zone id', 'fe80::1%eth0'],
    ['not an address', 'example.com'],
    ['an unnormalized IPv4 spelling', '0x7f.1'],
    ['empty', ''],
  ];
  it.each(refused)('refuses %s (%s)', (_label, ip) => {
    expect(isForbiddenAddress(ip, strict)).toBe(true);
  });

  const allowed: [string, string][] = [
    ['Cloudflare DNS', '1.1.1.1'],
    ['Google DNS', '8.8.8.8'],
    ['a public address next to CGNAT', '100.128.0.1'],
    ['a public address next to 172.16/12', '172.32.0.1'],
    ['Cloudflare DNS over IPv6', '2606:4700:4700::1111'],
    ['Google DNS over IPv6', '2001:4860:4860::8888'],
    ['IPv4-mapped public', '::ffff:8.8.8.8'],
    ['NAT64 carrying public', '64:ff9b::808:808'],
    ['6to4 carrying public', '2002:808:808::1'],
  ];
  it.each(allowed)('allows %s (%s)', (_label, ip) => {
    expect(isForbiddenAddress(ip, strict)).toBe(false);
  });

  it('lets an exception CIDR through, also in its IPv4-mapped form, but nothing else', () => {
    expect(isForbiddenAddress('127.0.0.1', local)).toBe(false);
    expect(isForbiddenAddress('::ffff:127.0.0.1', local)).toBe(false);
    expect(isForbiddenAddress('10.0.0.1', local)).toBe(true);
    expect(isForbiddenAddress('::1', local)).toBe(true);
    // A NAT64 gateway is a different host from the one the exception names.
    expect(isForbiddenAddress('64:ff9b::7f00:1', local)).toBe(true);
    expect(isForbiddenAddress('fd00::1', { allowedCidrs: ['fd00::/8'] })).toBe(false);
  });

  it('never lets a cloud metadata address through, whatever the exceptions', () => {
    const everything = { allowedCidrs: ['0.0.0.0/0', '::/0'] };
    expect(isForbiddenAddress('10.0.0.1', everything)).toBe(false);
    for (const ip of ['169.254.169.254', '::ffff:169.254.169.254', 'fd00:ec2::254']) {
      expect(isForbiddenAddress(ip, everything)).toBe(true);
    }
  });

  it('refuses a policy whose exceptions are not CIDRs instead of guessing', () => {
    expect(() => isForbiddenAddress('8.8.8.8', { allowedCidrs: ['127.0.0.1'] })).toThrow(
      /not a CIDR/,
    );
  });

  it.each(['2130706433', '0x7f.1', '017700000001', '127.1', '0x7f000001', '127.0.0.1.'])(
    'refuses the odd IPv4 spelling %s once URL parsing has normalized it',
    (spelling) => {
      const { hostname } = new URL(`http://${spelling}/`);
      expect(hostname).toBe('127.0.0.1');
      expect(isForbiddenAddress(hostname, strict)).toBe(true);
    },
  );
});

describe('safeFetch', () => {
  it('refuses a local server by default and reaches it with a 127.0.0.0/8 exception', async () => {
    const before = hits.length;
    const error = await refusal(safeFetch(`${base}/echo`, {}, strict));
    expect(error.reason).toBe('blocked-address');
    expect(hits.length).toBe(before);

    const response = await safeFetch(
      `${base}/echo?x=1`,
      { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'hello' },
      local,
    );
    expect(response.status).toBe(200);
    expect(response.truncated).toBe(false);
    expect(response.address).toBe('127.0.0.1');
    expect(response.durationMs).toBeGreaterThanOrEqual(0);
    expect(response.headers['set-cookie']).toEqual(['a=1', 'b=2']);
    expect(JSON.parse(response.body.toString('utf8'))).toEqual({
      method: 'POST',
      path: '/echo?x=1',
      host: `127.0.0.1:${port}`,
      body: 'hello',
    });
  });

  it('refuses a hostname that resolves to loopback (localhost, real DNS)', async () => {
    const error = await refusal(safeFetch(`http://localhost:${port}/echo`, {}, strict));
    expect(error.reason).toBe('blocked-address');
    expect(error.message).toContain('localhost');
  });

  it('refuses a name if any one of its answers is forbidden', async () => {
    // Replaces DNS: no test DNS server is available here. The first answer is the local
    // server (allowed), so only the any-answer rule stops the request.
    const dns = fakeDns({ 'multi.invalid': ['127.0.0.1', '10.0.0.1'] });
    const before = hits.length;
    const error = await refusal(safeFetch(`http://multi.invalid:${port}/echo`, {}, local, dns));
    expect(error.reason).toBe('blocked-address');
    expect(error.message).not.toContain('10.0.0.1');
    expect(hits.length).toBe(before);
  });

  it('connects to the vetted address with the original Host, resolving only once', async () => {
    // Replaces DNS: no test DNS server is available here. A `.invalid` name has no real
    // answer, so the request only succeeds if the socket used the vetted address rather than
    // asking DNS again (where a rebinding attacker would answer differently).
    const dns = fakeDns({ 'tenant-hook.invalid': ['127.0.0.1'] });
    const response = await safeFetch(
      `http://tenant-hook.invalid:${port}/echo`,
      { headers: { Host: 'internal.example' } },
      local,
      dns,
    );
    expect(dns.calls).toEqual(['tenant-hook.invalid']);
    expect(response.address).toBe('127.0.0.1');
    expect((JSON.parse(response.body.toString('utf8')) as { host: string }).host).toBe(
      `tenant-hook.invalid:${port}`,
    );
  });

  it('sends the original hostname as TLS SNI while connecting to the vetted address', async () => {
    let servername: string | undefined;
    // No certificate: the handshake stops after the ClientHello, which is all this needs.
    const tls: TlsServer = createTlsServer({
      SNICallback: (name, callback) => {
        servername = name;
        callback(new Error('no certificate here'), undefined);
      },
    });
    tls.on('tlsClientError', () => undefined);
    const tlsPort = await listen(tls);
    try {
      // Replaces DNS: no test DNS server is available here.
      const dns = fakeDns({ 'secure-hook.invalid': ['127.0.0.1'] });
      const error = await refusal(
        safeFetch(`https://secure-hook.invalid:${tlsPort}/`, {}, local, dns),
      );
      expect(error.reason).toBe('tls-failure');
      expect(servername).toBe('secure-hook.invalid');
    } finally {
      await new Promise((resolve) => tls.close(resolve));
    }
  });

  it('reports a server that does not speak TLS as a TLS failure', async () => {
    const error = await refusal(safeFetch(`https://127.0.0.1:${port}/echo`, {}, local));
    expect(error.reason).toBe('tls-failure');
  });

  it('returns a redirect as it is instead of following it', async () => {
    const before = hits.filter((path) => path === '/target').length;
    const response = await safeFetch(`${base}/redirect`, {}, local);
    expect(response.status).toBe(302);
    expect(response.headers.location).toBe(`${base}/target`);
    expect(hits.filter((path) => path === '/target').length).toBe(before);
  });

  it('times out a server that never answers', async () => {
    const error = await refusal(safeFetch(`${base}/never`, {}, { ...local, timeoutMs: 200 }));
    expect(error.reason).toBe('timeout');
    expect(error.message).toContain('200 ms');
  });

  it('times out a response that keeps trickling: the deadline covers the whole body', async () => {
    const error = await refusal(safeFetch(`${base}/trickle`, {}, { ...local, timeoutMs: 300 }));
    expect(error.reason).toBe('timeout');
  });

  it('refuses a response body over the limit, never quoting it', async () => {
    for (const path of ['/huge', '/huge-declared']) {
      const error = await refusal(safeFetch(`${base}${path}`, {}, local));
      expect(error.reason).toBe('too-large');
      expect(error.message).not.toContain('SECRET-BODY');
    }
  });

  it('returns the first maxResponseBytes bytes of a huge body with onTooLarge truncate', async () => {
    for (const path of ['/huge', '/huge-declared']) {
      const response = await safeFetch(`${base}${path}`, { onTooLarge: 'truncate' }, local);
      expect(response.status).toBe(200);
      expect(response.truncated).toBe(true);
      expect(response.body.length).toBe(local.maxResponseBytes);
    }
  });

  it('reports a closed port as a connect failure', async () => {
    const closed = createServer();
    const closedPort = await listen(closed);
    await new Promise((resolve) => closed.close(resolve));
    const error = await refusal(safeFetch(`http://127.0.0.1:${closedPort}/`, {}, local));
    expect(error.reason).toBe('connect-failure');
  });

  it.each([
    ['credentials', 'http://user:hunter2@example.com/'],
    ['ftp', 'ftp://example.com/file'],
    ['file', 'file:///etc/passwd'],
    ['a relative URL', '/just/a/path'],
    ['garbage', 'not a url'],
  ])('refuses a URL with %s as invalid-url', async (_label, url) => {
    const error = await refusal(safeFetch(url, {}, strict));
    expect(error.reason).toBe('invalid-url');
    expect(error.message).not.toContain('hunter2');
  });

  it.each([
    'http://[::ffff:127.0.0.1]/',
    'http://[::ffff:7f00:1]/',
    'http://[::127.0.0.1]/',
    'http://[::1]/',
    'http://0x7f000001/',
    'http://2130706433/',
    'http://017700000001/',
    'http://127.1/',
    'http://169.254.169.254/latest/meta-data/',
    'http://[fd00:ec2::254]/',
  ])('refuses %s as blocked-address', async (url) => {
    const error = await refusal(safeFetch(url, {}, strict));
    expect(error.reason).toBe('blocked-address');
  });

  it('never repeats the path or query of a refused URL', async () => {
    const error = await refusal(safeFetch(`${base}/hook?token=s3cr3t`, {}, strict));
    expect(error.message).not.toMatch(/s3cr3t|\/hook/);
  });

  it('reports a name that does not exist as a DNS failure (real DNS)', async () => {
    const error = await refusal(safeFetch('http://does-not-exist.invalid/', {}, strict));
    expect(error.reason).toBe('dns-failure');
  });
});

describe('assertSafeUrl', () => {
  it('accepts a public address and refuses what safeFetch would refuse, sending nothing', async () => {
    const before = hits.length;
    await expect(assertSafeUrl('https://8.8.8.8/hook', strict)).resolves.toBeUndefined();
    expect((await refusal(assertSafeUrl(`${base}/echo`, strict))).reason).toBe('blocked-address');
    expect((await refusal(assertSafeUrl('ftp://example.com/', strict))).reason).toBe('invalid-url');
    await expect(assertSafeUrl(`${base}/echo`, local)).resolves.toBeUndefined();
    expect(hits.length).toBe(before);
  });
});

describe('outbound config', () => {
  const shape = { NODE_ENV: environment.NODE_ENV, ...outbound };
  function problems(env: Record<string, string>): string[] {
    try {
      parseConfig(shape, env, [refuseMetadataCidrsInProduction]);
      return [];
    } catch (error) {
      if (error instanceof ConfigError) return error.lines;
      throw error;
    }
  }

  it('defaults to no exceptions, 10 s and 1 MiB', () => {
    expect(outboundPolicyFromConfig(parseConfig(shape, {}))).toEqual({
      allowedCidrs: [],
      timeoutMs: 10_000,
      maxResponseBytes: 1024 * 1024,
    });
    expect(
      outboundPolicyFromConfig(
        parseConfig(shape, { OUTBOUND_ALLOWED_CIDRS: '127.0.0.0/8, fd00::/8' }),
      ).allowedCidrs,
    ).toEqual(['127.0.0.0/8', 'fd00::/8']);
  });

  it('names every bad CIDR, timeout and limit', () => {
    for (const bad of ['127.0.0.1', '10.0.0.0/33', '10.0.0.0/08', 'fe80::/129', 'example.com/8']) {
      expect(problems({ OUTBOUND_ALLOWED_CIDRS: `127.0.0.0/8,${bad}` })).toEqual([
        expect.stringMatching(/^config error: OUTBOUND_ALLOWED_CIDRS: each entry must be a CIDR/),
      ]);
    }
    const lines = problems({ OUTBOUND_TIMEOUT_MS: 'soon', OUTBOUND_MAX_RESPONSE_BYTES: '0' });
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^config error: OUTBOUND_TIMEOUT_MS: /);
    expect(lines[1]).toMatch(/^config error: OUTBOUND_MAX_RESPONSE_BYTES: /);
  });

  it('refuses exceptions that contain a cloud metadata address in production', () => {
    for (const cidrs of ['169.254.169.254/32', '169.254.0.0/16', '0.0.0.0/0', 'fd00::/8', '::/0']) {
      expect(problems({ NODE_ENV: 'production', OUTBOUND_ALLOWED_CIDRS: cidrs })).toEqual([
        expect.stringMatching(
          /^config error: OUTBOUND_ALLOWED_CIDRS: must not contain cloud metadata addresses .* when NODE_ENV=production$/,
        ),
      ]);
      expect(problems({ NODE_ENV: 'development', OUTBOUND_ALLOWED_CIDRS: cidrs })).toEqual([]);
    }
    expect(problems({ NODE_ENV: 'production', OUTBOUND_ALLOWED_CIDRS: '10.0.0.0/8' })).toEqual([]);
  });
});
