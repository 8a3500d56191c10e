export * from './key-ring';
export * from './redacted';
export * from './reencryption';
export * from './tokens';
