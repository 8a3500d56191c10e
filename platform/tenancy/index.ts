export * from './membership-events';
export * from './tenant-origin-events';
export * from './tenant-settings';
export * from './tenant-status';
export * from './tenant-status-values';
