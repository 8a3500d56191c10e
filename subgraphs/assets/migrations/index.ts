import { CreateAssets1764028802000 } from './1764028802000-create-assets';

export const assetsMigrations = [CreateAssets1764028802000];
