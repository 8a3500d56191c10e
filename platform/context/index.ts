export * from './request-context';
export * from './signed-context';
