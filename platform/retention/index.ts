export * from './purge-targets';
export * from './retention-purge';
export * from './retention-purge-job';
