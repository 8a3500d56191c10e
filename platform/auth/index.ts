export * from './access-token';
export * from './api-key-format';
export * from './session-revocation';
export * from './api-key-endings';
export * from './shared-times';
