export * from './membership-events';
export * from './oauth-provider-lookup';
export * from './role-lookup';
