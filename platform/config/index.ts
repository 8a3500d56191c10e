export * from './load';
export * from './fields';
export * from './service';
