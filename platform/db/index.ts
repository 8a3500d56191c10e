export * from './data-source';
export * from './tenant-transaction';
export * from './migration-helpers';
export * from './bootstrap';
export * from './migrations';
export * from './tenant-scope';
export * from './scope-transaction';
export * from './roles';
