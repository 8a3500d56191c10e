export * from './alert-channels';
export * from './alert-jobs';
