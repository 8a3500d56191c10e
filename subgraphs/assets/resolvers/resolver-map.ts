import { CursorScalar, DateTimeScalar, JSONScalar } from '../../../platform/graphql/scalars';
import type { Resolvers } from '../generated/resolvers-types';

export const resolvers: Resolvers = {
  DateTime: DateTimeScalar,
  JSON: JSONScalar,
  Cursor: CursorScalar,
  Query: {
    asset: (_parent, { id }, { assets }) => assets.byId(id),
    assets: (_parent, args, { assets }) => assets.list(args),
  },
  Mutation: {
    createAssetUpload: (_parent, args, { uploads }) => uploads.create(args),
    completeAssetUpload: (_parent, { id }, { uploads }) => uploads.complete(id),
    updateAsset: (_parent, args, { edits }) => edits.update(args),
    deleteAsset: (_parent, { id }, { edits }) => edits.remove(id),
    restoreAsset: (_parent, { id }, { edits }) => edits.restore(id),
  },
  AssetConnection: {
    totalCount: (connection) => connection.countTotal(),
  },
  Asset: {
    __resolveReference: (reference, { assets }) => assets.byReference(reference.id),
    // A reference the gateway resolves in the auth subgraph, batched per request.
    owner: (asset) => ({ id: asset.ownerId }),
    downloadUrl: (asset, _args, { assets }) => assets.downloadUrl(asset),
  },
  User: {
    __resolveReference: (reference) => ({ id: reference.id }),
    assets: (user, args, { assets }) => assets.listOwnedBy(user, args),
  },
};
