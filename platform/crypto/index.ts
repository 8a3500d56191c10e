export * from './key-ring';
export * from './redacted';
export * from './tokens';
