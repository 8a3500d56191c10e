export * from './policy';
export * from './errors';
export * from './address-filter';
export { assertSafeUrl, systemResolver, type Resolver, type ResolvedAddress } from './vet-url';
export * from './safe-fetch';
export * from './endpoint-scheme';
export { closePooledConnections } from './connection-pool';
