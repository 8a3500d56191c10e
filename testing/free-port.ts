import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';

/**
 * Where free ports are looked for: below the kernel's ephemeral range, which outgoing
 * connections (PostgreSQL, Redis, HTTP between processes) and `PORT=0` listeners draw from.
 * A port chosen there could be taken by any of them between this check and the process's
 * bind; below it, only another caller of this function could take it.
 */
function searchRange(): { low: number; high: number } {
  let ephemeralLow = 32_768;
  try {
    const [low] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').split(/\s+/);
    if (Number(low) > 11_000) ephemeralLow = Number(low);
  } catch {
    // Not Linux: the usual default range.
  }
  return { low: 10_000, high: ephemeralLow - 1 };
}

const range = searchRange();
/**
 * Ports `fetch` refuses to connect to ("bad port": the Fetch standard's port blocking list)
 * that lie in the search range. A test or bench that fetches from one would fail for the
 * port's sake alone.
 */
export const FETCH_BLOCKED_PORTS: ReadonlySet<number> = new Set([10_080]);
/** Handed out by this process already: never twice, even after the first user let it go. */
const handedOut = new Set<number>();

/** Whether a listener could bind `port` on 127.0.0.1 right now. */
export function bindable(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/**
 * A port free right now, for a process others must know before it starts. Chosen at random
 * outside the ephemeral range (see {@link searchRange}), so the window before the process
 * binds it is not shared with the machine's own connections. `alsoFree` are offsets of ports
 * the process binds beside it (a Redis Cluster node: its bus, 10 000 above), which are free
 * and below the ephemeral range as well.
 */
export async function freePort(options: { alsoFree?: readonly number[] } = {}): Promise<number> {
  const offsets = [0, ...(options.alsoFree ?? [])];
  const high = range.high - Math.max(...offsets);
  for (let attempt = 0; attempt < 100; attempt += 1) {
    const port = range.low + Math.floor(Math.random() * (high - range.low + 1));
    const ports = offsets.map((offset) => port + offset);
    if (ports.some((candidate) => handedOut.has(candidate) || FETCH_BLOCKED_PORTS.has(candidate))) {
      continue;
    }
    if (!(await Promise.all(ports.map(bindable))).every(Boolean)) continue;
    for (const candidate of ports) handedOut.add(candidate);
    return port;
  }
  throw new Error(`no free port found in ${range.low}-${high}`);
}
