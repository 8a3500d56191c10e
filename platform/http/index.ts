export * from './body';
export * from './readiness';
export * from './respond';
export * from './service-server';
export * from './signed-json-route';
