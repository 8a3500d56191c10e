export * from './request-context';
export * from './service-keys';
export * from './signed-request';
export * from './replay-guard';
