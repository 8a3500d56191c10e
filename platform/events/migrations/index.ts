import { CreateEvents1764028806000 } from './1764028806000-create-events';
import { AddEventRelayFunctions1764028856000 } from './1764028856000-add-event-relay-functions';

export const eventsMigrations = [CreateEvents1764028806000, AddEventRelayFunctions1764028856000];
