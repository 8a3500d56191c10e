import { readFileSync } from 'node:fs';
import { bindable, FETCH_BLOCKED_PORTS, freePort } from '../free-port';

// Ports handed to processes that bind them later: free, below the ephemeral range (where
// outgoing connections could take them first), and never handed out twice.

const ephemeralLow = Number(
  readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').split(/\s+/)[0],
);

describe('free ports', () => {
  it('hands out a port and its companions below the ephemeral range, each bindable', async () => {
    const port = await freePort({ alsoFree: [10_000] });
    expect(port + 10_000).toBeLessThan(ephemeralLow);
    expect(await bindable(port)).toBe(true);
    expect(await bindable(port + 10_000)).toBe(true);
  });

  it('never hands out a port twice, companions included', async () => {
    const taken = new Set<number>();
    for (let index = 0; index < 30; index += 1) {
      const port = await freePort({ alsoFree: [10_000] });
      for (const used of [port, port + 10_000]) {
        expect(taken.has(used)).toBe(false);
        taken.add(used);
      }
      const single = await freePort();
      expect(taken.has(single)).toBe(false);
      taken.add(single);
    }
  });

  it('never hands out a port fetch refuses to connect to', async () => {
    const [blocked] = [...FETCH_BLOCKED_PORTS];
    const refusal = await fetch(`http://127.0.0.1:${blocked}/`).catch(
      (error: Error) => (error.cause as Error).message,
    );
    expect(refusal).toBe('bad port');
    // Math.random's first answer lands on the blocked port, its second anywhere else.
    const low = 10_000;
    const high = ephemeralLow - 1;
    const onBlocked = (blocked! - low + 0.5) / (high - low + 1);
    const random = jest.spyOn(Math, 'random').mockReturnValueOnce(onBlocked);
    try {
      const port = await freePort();
      expect(random).toHaveBeenCalledTimes(2);
      expect(port).not.toBe(blocked);
    } finally {
      random.mockRestore();
    }
  });
});
