import type { Resolvers } from '../generated/resolvers-types';

export const resolvers: Resolvers = {
  Query: {
    health: (_parent, _args, { health }) => health.health(),
    queueStats: (_parent, _args, { platformStats }) => platformStats.queueStats(),
    databaseStats: (_parent, _args, { platformStats }) => platformStats.databaseStats(),
    alertRules: (_parent, _args, { alertRules }) => alertRules.list(),
  },
};
