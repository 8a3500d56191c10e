import { DateTimeScalar } from '../../../platform/graphql';
import type { Resolvers } from '../generated/resolvers-types';

export const resolvers: Resolvers = {
  DateTime: DateTimeScalar,
  Query: {
    me: (_parent, _args, { users }) => users.me(),
  },
  User: {
    __resolveReference: (reference, { users }) => users.byReference(reference.id),
  },
};
