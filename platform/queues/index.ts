export * from './job-correlation';
export * from './job-retention';
export * from './names';
export * from './reencrypt-secrets-job';
export * from './tenant-purge-job';
