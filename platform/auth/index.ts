export * from './access-token';
export * from './api-key-format';
export * from './session-revocation';
export * from './api-key-events';
export * from './api-key-owner';
export * from './verified-users';
