import { CreateEvents1764028806000 } from './1764028806000-create-events';

export const eventsMigrations = [CreateEvents1764028806000];
