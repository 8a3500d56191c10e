export * from './purge-targets';
export * from './retention-purge';
export * from './tenant-retention';
export * from './retention-purge-job';
