export * from './membership-events';
export * from './role-lookup';
