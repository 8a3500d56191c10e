export * from './codes';
export * from './domain-errors';
export * from './mask';
