import type { IncomingMessage } from 'node:http';
import { ConfigError, parseConfig } from '../../platform/config/load';
import { gatewayConfigRules, gatewayConfigShape } from '../config';
import { clientIp, type TrustProxy } from '../security/trust-proxy';

// GATEWAY_TRUST_PROXY as Express's `trust proxy` reads it: the client is the first hop, from
// the gateway's side, that is not a trusted proxy.

function trustOf(value: string): TrustProxy {
  return parseConfig(gatewayConfigShape, { GATEWAY_TRUST_PROXY: value }, gatewayConfigRules)
    .GATEWAY_TRUST_PROXY;
}

function problems(value: string): string[] {
  try {
    trustOf(value);
    return [];
  } catch (error) {
    if (error instanceof ConfigError) return error.lines;
    throw error;
  }
}

function request(peer: string, forwardedFor?: string | string[]): IncomingMessage {
  return {
    socket: { remoteAddress: peer },
    headers: forwardedFor === undefined ? {} : { 'x-forwarded-for': forwardedFor },
  } as unknown as IncomingMessage;
}

describe('GATEWAY_TRUST_PROXY', () => {
  it('trusts no proxy by default: the socket peer is the client, whatever the header says', () => {
    const trust = trustOf('false');
    expect(clientIp(request('203.0.113.9', '198.51.100.1'), trust)).toBe('203.0.113.9');
    expect(clientIp(request('203.0.113.9', '198.51.100.1'), trustOf('0'))).toBe('203.0.113.9');
  });

  it('with a hop count, takes the entry the last trusted proxy appended, never a client-written one', () => {
    const one = trustOf('1');
    // The client wrote 6.6.6.6 itself; the proxy appended the address it saw.
    expect(clientIp(request('10.0.0.2', '6.6.6.6, 203.0.113.7'), one)).toBe('203.0.113.7');
    expect(clientIp(request('10.0.0.2', ['6.6.6.6', '203.0.113.7']), one)).toBe('203.0.113.7');
    expect(clientIp(request('10.0.0.2', '6.6.6.6, 203.0.113.7, 10.0.0.1'), trustOf('2'))).toBe(
      '203.0.113.7',
    );
    // A connection that did not come through the proxy has no entry to take.
    expect(clientIp(request('203.0.113.9'), one)).toBe('203.0.113.9');
    // Fewer entries than hops: the furthest one, as Express does.
    expect(clientIp(request('10.0.0.2', '203.0.113.7'), trustOf('3'))).toBe('203.0.113.7');
  });

  it('with proxy addresses, skips every trusted hop and stops at the first untrusted one', () => {
    const trust = trustOf('10.0.0.0/8, 192.0.2.10, loopback');
    expect(clientIp(request('10.1.2.3', '6.6.6.6, 203.0.113.7, 192.0.2.10'), trust)).toBe(
      '203.0.113.7',
    );
    // A peer that is not a trusted proxy is the client: its header is not read.
    expect(clientIp(request('198.51.100.4', '6.6.6.6'), trust)).toBe('198.51.100.4');
    // An IPv4 peer of a dual-stack socket, and IPv6 hops.
    expect(clientIp(request('::ffff:127.0.0.1', '2001:db8::1, ::1'), trust)).toBe('2001:db8::1');
    // A spoofed entry that is no address stops the walk; it never reaches past a real client.
    expect(clientIp(request('10.0.0.1', '6.6.6.6, not-an-ip'), trust)).toBe('not-an-ip');
  });

  it('refuses true, whose old meaning let the client choose its IP, and anything unreadable', () => {
    expect(problems('true')).toEqual([
      'config error: GATEWAY_TRUST_PROXY: true trusted every hop, so a client could choose its IP: give the number of proxies in front of the gateway (e.g. 1) or their addresses as CIDRs (got "true")',
    ]);
    expect(problems('10.0.0.0/33')).toEqual([
      expect.stringContaining(
        'GATEWAY_TRUST_PROXY: "10.0.0.0/33" is not a hop count, an IP address, a CIDR',
      ),
    ]);
    expect(problems('localhost')).toHaveLength(1);
    expect(problems('99')).toEqual([expect.stringContaining('at most 32 hops')]);
  });
});
