export * from './alert-channels';
export * from './alert-jobs';
export * from './alert-recipients';
