export * from './alert-channels';
export * from './alert-jobs';
export * from './alert-recipients';
export * from './alert-channel.repository';
export * from './alert-channel-secrets';
