import { CreateEvents1764028806000 } from './1764028806000-create-events';
import { AddEventRelayFunctions1764028856000 } from './1764028856000-add-event-relay-functions';
import { AddEventRetentionFunctions1764028874000 } from './1764028874000-add-event-retention-functions';
import { AddEventTraceparent1764028901000 } from './1764028901000-add-event-traceparent';
import { ReachTheJournalThroughFunctions1765004001000 } from './1765004001000-reach-the-journal-through-functions';
import { AddJournalMeasureFunctions1765007003000 } from './1765007003000-add-journal-measure-functions';
import { PartitionTheJournalByMonth1766002000000 } from './1766002000000-partition-the-journal-by-month';
import { AddJournalArchiveFunctions1766002001000 } from './1766002001000-add-journal-archive-functions';
import { SayWhetherMoreEventsWait1766020000000 } from './1766020000000-say-whether-more-events-wait';

export const eventsMigrations = [
  CreateEvents1764028806000,
  AddEventRelayFunctions1764028856000,
  AddEventRetentionFunctions1764028874000,
  AddEventTraceparent1764028901000,
  ReachTheJournalThroughFunctions1765004001000,
  AddJournalMeasureFunctions1765007003000,
  PartitionTheJournalByMonth1766002000000,
  AddJournalArchiveFunctions1766002001000,
  SayWhetherMoreEventsWait1766020000000,
];
