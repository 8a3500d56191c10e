export * from './names';
export * from './tenant-purge-job';
