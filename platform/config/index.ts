export * from './load';
export * from './fields';
export * from './service';
export * from './mail';
export * from './encryption';
export * from './outbound';
export * from './app-links';
export * from './tracing';
