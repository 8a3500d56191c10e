export * from './apollo-http';
export * from './apollo-logger';
export * from './ids';
export * from './metrics-plugin';
export * from './pagination';
export * from './subgraph-service';
export * from './scalars';
export * from './field-policy';
