import { eventually } from '../eventually';
import { freePort } from '../free-port';
import { startOwnedRedis, type OwnedRedis } from './owned-redis';

/** Where a Redis Cluster node listens for the other nodes: its own port plus this. */
const CLUSTER_BUS_OFFSET = 10_000;

/** How long a node may be silent before the others count it down (cluster and Sentinel). */
const DOWN_AFTER_MS = 1_000;

export interface RedisTopology {
  /** REDIS_MODE, REDIS_NODES (and REDIS_SENTINEL_NAME) for the processes. */
  env: Record<string, string>;
  servers: OwnedRedis[];
  /** The data server that takes writes now. */
  master(): Promise<OwnedRedis>;
  /** Kills the current master (kill -9) and resolves once a replica has taken its place. */
  failover(timeoutMs?: number): Promise<{ killed: OwnedRedis; promoted: OwnedRedis; ms: number }>;
  dispose(): Promise<void>;
}

/**
 * Builds a topology, keeping each server it starts: when a step fails before the topology is
 * whole, every server started so far is disposed of before the error goes on. A half-built
 * topology's processes would otherwise outlive the test and keep the run from exiting.
 */
async function building<T>(build: (start: Starter) => Promise<T>): Promise<T> {
  const started: OwnedRedis[] = [];
  const all = async (starting: Promise<OwnedRedis>[]) => {
    // Every start settles before a failure is passed on, so none is left running untracked.
    const results = await Promise.allSettled(starting);
    for (const result of results) if (result.status === 'fulfilled') started.push(result.value);
    const failed = results.find((result) => result.status === 'rejected');
    if (failed) throw failed.reason;
    return results.map((result) => (result as PromiseFulfilledResult<OwnedRedis>).value);
  };
  const one = async (starting: Promise<OwnedRedis>) => (await all([starting]))[0]!;
  try {
    return await build({ one, all });
  } catch (error) {
    await Promise.all(started.map((server) => server.dispose()));
    throw error;
  }
}

/** Starts servers for {@link building}, which disposes of them if the topology is not built. */
interface Starter {
  one(starting: Promise<OwnedRedis>): Promise<OwnedRedis>;
  all(starting: Promise<OwnedRedis>[]): Promise<OwnedRedis[]>;
}

const until = async (check: () => boolean | Promise<boolean>, timeoutMs: number, what: string) => {
  await eventually(check, timeoutMs, `redis: ${what}`);
};

/**
 * A Redis Cluster of `masters` masters with one replica each, on ports this run owns. Its
 * `failover` kills the master of the hash slot `slotKey` lives in (e.g. BullMQ's `{prefix}`),
 * so the keys the test cares about move.
 */
export async function startRedisCluster(
  masters = 3,
): Promise<RedisTopology & { slotMaster(key: string): Promise<OwnedRedis> }> {
  return building(async (start) => {
    const servers = await start.all(
      Array.from({ length: masters * 2 }, async () =>
        startOwnedRedis({
          // A node listens on its port and on its cluster bus, 10 000 above: both must be free.
          port: await freePort({ alsoFree: [CLUSTER_BUS_OFFSET] }),
          args: [
            '--cluster-enabled',
            'yes',
            '--cluster-config-file',
            'nodes.conf',
            '--cluster-node-timeout',
            String(DOWN_AFTER_MS),
          ],
        }),
      ),
    );
    await formCluster(servers);
    const alive = () => servers.filter((server) => server.running());

    const ownerOf = (slot: number) => masterOf(slot, servers, alive()[0]!);
    let target = 0;

    return {
      env: {
        REDIS_MODE: 'cluster',
        REDIS_NODES: servers.map((server) => `127.0.0.1:${server.port}`).join(','),
      },
      servers,
      master: () => Promise.resolve(ownerOf(target)!),
      slotMaster(key: string) {
        target = Number(alive()[0]!.cli('cluster', 'keyslot', key));
        return Promise.resolve(ownerOf(target)!);
      },
      async failover(timeoutMs = 20_000) {
        const killed = ownerOf(target)!;
        const started = Date.now();
        await killed.kill();
        let promoted: OwnedRedis | undefined;
        await until(
          () => {
            promoted = ownerOf(target);
            return (
              promoted !== undefined &&
              promoted !== killed &&
              alive().every((server) => /cluster_state:ok/.test(server.cli('cluster', 'info')))
            );
          },
          timeoutMs,
          'a promoted replica',
        );
        return { killed, promoted: promoted!, ms: Date.now() - started };
      },
      dispose: async () => {
        await Promise.all(servers.map((server) => server.dispose()));
      },
    };
  });
}

/** Joins the nodes into a cluster with one replica per master, and waits until it serves. */
async function formCluster(servers: OwnedRedis[]): Promise<void> {
  const [first] = servers;
  first!.cliSync([
    '--cluster',
    'create',
    ...servers.map((server) => `127.0.0.1:${server.port}`),
    '--cluster-replicas',
    '1',
    '--cluster-yes',
  ]);
  await until(
    () =>
      servers
        .filter((server) => server.running())
        .every((server) => /cluster_state:ok/.test(server.cli('cluster', 'info'))),
    20_000,
    'cluster_state:ok on every node',
  );
  // A replica that never synced would not take over: wait for every replication link.
  await until(
    () =>
      servers.every((server) => {
        const info = server.cli('info', 'replication');
        return /role:master/.test(info) || /master_link_status:up/.test(info);
      }),
    20_000,
    'every replica in sync',
  );
}

/** The master serving `slot`, as the live node `observer` sees the cluster now. */
function masterOf(
  slot: number,
  servers: OwnedRedis[],
  observer: OwnedRedis,
): OwnedRedis | undefined {
  const nodes = observer.cli('cluster', 'nodes').split('\n');
  for (const line of nodes) {
    const [, address, flags, , , , , , ...ranges] = line.split(' ');
    if (!flags?.includes('master') || flags.includes('fail')) continue;
    const covers = ranges.some((range) => {
      const [from, to = from] = range.split('-').map(Number);
      return slot >= from! && slot <= to!;
    });
    if (covers) return servers.find((server) => address?.startsWith(`127.0.0.1:${server.port}@`));
  }
  return undefined;
}

/** A master, one replica and three Sentinels watching them (quorum 2), on ports this run owns. */
export async function startRedisSentinel(name = 'mymaster'): Promise<RedisTopology> {
  return building(async (start) => {
    const primary = await start.one(startOwnedRedis());
    const replica = await start.one(
      startOwnedRedis({ args: ['--replicaof', '127.0.0.1', String(primary.port)] }),
    );
    await until(
      () => /master_link_status:up/.test(replica.cli('info', 'replication')),
      10_000,
      'the replica in sync',
    );
    const sentinels = await start.all(
      [0, 1, 2].map(() =>
        startOwnedRedis({
          sentinel: [
            `sentinel monitor ${name} 127.0.0.1 ${primary.port} 2`,
            `sentinel down-after-milliseconds ${name} ${DOWN_AFTER_MS}`,
            `sentinel failover-timeout ${name} 5000`,
            `sentinel parallel-syncs ${name} 1`,
            '',
          ].join('\n'),
        }),
      ),
    );
    const servers = [primary, replica];
    const masterPort = () =>
      Number(sentinels[0]!.cli('sentinel', 'get-master-addr-by-name', name).split('\n')[1]);
    await until(
      () =>
        sentinels.every((sentinel) =>
          /num-other-sentinels\n2/.test(sentinel.cli('sentinel', 'master', name)),
        ),
      15_000,
      'three sentinels aware of each other',
    );
    const master = () => Promise.resolve(servers.find((server) => server.port === masterPort())!);

    return {
      env: {
        REDIS_MODE: 'sentinel',
        REDIS_NODES: sentinels.map((sentinel) => `127.0.0.1:${sentinel.port}`).join(','),
        REDIS_SENTINEL_NAME: name,
      },
      servers,
      master,
      async failover(timeoutMs = 20_000) {
        const killed = await master();
        const started = Date.now();
        await killed.kill();
        let promoted: OwnedRedis | undefined;
        await until(
          () => {
            promoted = servers.find((server) => server.port === masterPort());
            return (
              promoted !== undefined &&
              promoted !== killed &&
              /role:master/.test(promoted.cli('info', 'replication'))
            );
          },
          timeoutMs,
          'a promoted replica',
        );
        return { killed, promoted: promoted!, ms: Date.now() - started };
      },
      dispose: async () => {
        await Promise.all([...sentinels, ...servers].map((server) => server.dispose()));
      },
    };
  });
}
