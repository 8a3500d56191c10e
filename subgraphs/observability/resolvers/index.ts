import type { Resolvers } from '../generated/resolvers-types';

export const resolvers: Resolvers = {
  Query: {
    health: (_parent, _args, { health }) => health.health(),
    alertRules: (_parent, _args, { alertRules }) => alertRules.list(),
  },
};
