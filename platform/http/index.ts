export * from './body';
export * from './media-type';
export * from './metrics-access';
export * from './raw-answer';
export * from './readiness';
export * from './respond';
export * from './service-server';
export * from './signed-json-route';
