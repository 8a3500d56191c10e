export * from './membership-events';
export * from './oauth-provider-lookup';
export * from './role-lookup';
export * from './tenant-origin-events';
export * from './tenant-origins';
export * from './tenant-purge';
export * from './tenant-settings';
export * from './tenant-status';
