import http from 'node:http';
import https from 'node:https';
import { isIP, type LookupFunction } from 'node:net';

/**
 * Keep-alive connections for callers that send many requests to the same few receivers
 * (webhook deliveries): a TCP (and TLS) handshake per request cost more than the request.
 *
 * One agent per (scheme, host name, port, vetted address): a socket is only ever reused for
 * the address that was checked for the request using it, so a DNS answer that changes (a
 * rebinding attempt) gets a new agent and new connections, never an old socket. The agent's
 * lookup is pinned to that address too, for the connections it opens.
 */

/** Idle sockets close before the common 5 s server keep-alive timeout (Node's, nginx's 75 s). */
const IDLE_SOCKET_MS = 4_000;
/** Receivers kept pooled at once; the least recently used one's idle sockets close first. */
const MAX_POOLED_TARGETS = 512;

export interface PoolTarget {
  secure: boolean;
  hostname: string;
  port: number | string;
  address: string;
}

const agents = new Map<string, http.Agent>();

/** The keep-alive agent for one vetted target, created on first use. */
export function pooledAgent(target: PoolTarget): http.Agent {
  const key = `${target.secure ? 'https' : 'http'}://${target.hostname}:${target.port}@${target.address}`;
  const found = agents.get(key);
  if (found) {
    // Map order is insertion order: moving the key to the end keeps it least-recently-used last.
    agents.delete(key);
    agents.set(key, found);
    return found;
  }
  const family = isIP(target.address);
  const lookup: LookupFunction = (_name, options, callback) => {
    if (options.all) callback(null, [{ address: target.address, family }]);
    else callback(null, target.address, family);
  };
  const options = { keepAlive: true, timeout: IDLE_SOCKET_MS, scheduling: 'lifo' as const, lookup };
  const agent = target.secure ? new https.Agent(options) : new http.Agent(options);
  agents.set(key, agent);
  if (agents.size > MAX_POOLED_TARGETS) {
    const [oldestKey, oldest] = agents.entries().next().value as [string, http.Agent];
    agents.delete(oldestKey);
    // Requests still out on it finish; their sockets then close after IDLE_SOCKET_MS.
    for (const sockets of Object.values(oldest.freeSockets)) {
      for (const socket of sockets ?? []) socket.destroy();
    }
  }
  return agent;
}

/** Closes every pooled connection (shutdown, tests). */
export function closePooledConnections(): void {
  for (const agent of agents.values()) agent.destroy();
  agents.clear();
}
