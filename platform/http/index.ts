export * from './body';
export * from './readiness';
export * from './respond';
export * from './service-server';
