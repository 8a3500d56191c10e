import { CursorScalar, DateTimeScalar, JSONScalar } from '../../../platform/graphql';
import type { Resolvers } from '../generated/resolvers-types';

export const resolvers: Resolvers = {
  DateTime: DateTimeScalar,
  JSON: JSONScalar,
  Cursor: CursorScalar,
  Query: {
    asset: (_parent, { id }, { assets }) => assets.byId(id),
    assets: (_parent, args, { assets }) => assets.list(args),
  },
  AssetConnection: {
    totalCount: (connection) => connection.countTotal(),
  },
  Asset: {
    __resolveReference: (reference, { assets }) => assets.byReference(reference.id),
    // A reference the gateway resolves in the auth subgraph, batched per request.
    owner: (asset) => ({ id: asset.ownerId }),
  },
};
