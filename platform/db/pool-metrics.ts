import type { Pool } from 'pg';
import { Gauge, type Registry } from 'prom-client';
import type { DataSource } from 'typeorm';

/** TypeORM's postgres driver keeps its pg Pool as `master` (no replicas configured). */
export function poolOf(dataSource: DataSource): Pool | undefined {
  return (dataSource.driver as unknown as { master?: Pool }).master;
}

interface ObservedPool {
  read: () => Pool | undefined;
  max: number;
}

const pools = new WeakMap<Registry, Map<string, ObservedPool>>();

/**
 * Pool gauges, read at scrape time: `tessera_db_pool_connections{pool, state}` (`active`,
 * `idle`, and `max`, the configured size) and `tessera_db_pool_waiting_clients{pool}`
 * (callers queued for a connection: above 0 means the pool is exhausted). `pool` is the
 * data source's application name, one or two per process.
 */
export function observePool(
  registry: Registry,
  name: string,
  dataSource: DataSource,
  max: number,
): void {
  let observed = pools.get(registry);
  if (!observed) {
    observed = new Map();
    pools.set(registry, observed);
    const all = observed;
    new Gauge({
      name: 'tessera_db_pool_connections',
      help: 'Connections of each database pool: active (lent out), idle, and max (its size).',
      labelNames: ['pool', 'state'],
      registers: [registry],
      collect() {
        this.reset();
        for (const [pool, { read, max }] of all) {
          const current = read();
          const total = current?.totalCount ?? 0;
          const idle = current?.idleCount ?? 0;
          this.set({ pool, state: 'active' }, total - idle);
          this.set({ pool, state: 'idle' }, idle);
          this.set({ pool, state: 'max' }, max);
        }
      },
    });
    new Gauge({
      name: 'tessera_db_pool_waiting_clients',
      help: 'Callers waiting for a connection of each database pool (the pool is exhausted).',
      labelNames: ['pool'],
      registers: [registry],
      collect() {
        this.reset();
        for (const [pool, { read }] of all) this.set({ pool }, read()?.waitingCount ?? 0);
      },
    });
  }
  observed.set(name, { read: () => poolOf(dataSource), max });
}
