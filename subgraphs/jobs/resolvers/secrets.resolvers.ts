import type { MutationResolvers } from '../generated/resolvers-types';

export const secretsMutations: Pick<MutationResolvers, 'reencryptSecrets'> = {
  reencryptSecrets: (_parent, _args, { secrets }) => secrets.reencryptAll(),
};
