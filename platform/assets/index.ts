export * from './blob-path';
