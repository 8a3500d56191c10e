export * from './connection';
export * from './script';
