import type { TenantScope } from '../../../platform/db/scope';
import { ValidationError } from '../../../platform/errors/domain-errors';
import { EVENT_TYPE_PATTERN } from '../../../platform/events/event-types';
import {
  decodeCursor,
  pageSize,
  toConnection,
  type Connection,
} from '../../../platform/graphql/pagination';
import { isUuid, parseId } from '../../../platform/graphql/ids';
import type { JobsLoaders } from '../loaders';
import { EventRepository, type EventRecord } from '../repositories/event.repository';

export interface EventListArgs {
  first?: number | null;
  after?: string | null;
  types?: readonly string[] | null;
  since?: Date | string | null;
  afterSeq?: string | null;
}

/** At most this many types in one `events(types:)` filter. */
export const MAX_EVENT_TYPE_FILTERS = 20;
const MAX_EVENT_TYPE_LENGTH = 128;
const SEQ = /^[1-9][0-9]{0,18}$/;

/** The tenant's event journal, read inside the tenant's transaction (row-level security). */
export class EventJournalService {
  constructor(
    private readonly scope: TenantScope,
    private readonly loaders: JobsLoaders,
  ) {}

  /**
   * Newest first: a log is read from the latest entry back, and the cursor is the seq, so a
   * page never shifts when events are appended meanwhile. Subscriptions replay oldest first
   * from a seq on their own.
   */
  async list(args: EventListArgs): Promise<Connection<EventRecord>> {
    const size = pageSize(args.first);
    const beforeSeq = cursorSeq(args.after);
    const types = typeFilter(args.types);
    const since = args.since === null || args.since === undefined ? null : new Date(args.since);
    const tenantId = this.scope.tenantId;
    if (args.afterSeq !== null && args.afterSeq !== undefined) {
      if (args.after || since) {
        throw new ValidationError('afterSeq pages on its own: leave out after and since', {
          field: 'afterSeq',
        });
      }
      const afterSeq = validSeq(args.afterSeq);
      const later = await this.scope.run((manager) =>
        new EventRepository(manager).findAfter({ tenantId, types, afterSeq, limit: size + 1 }),
      );
      for (const row of later) this.loaders.eventById.prime(row.id, row);
      return toConnection(later, size, (event) => ({ value: event.seq, id: event.id }));
    }

    // The log read newest first may lag (the replica's); the afterSeq catch-up above stays on
    // the primary, since a client resumes from it and must miss nothing.
    const rows = await this.scope.read((manager) =>
      new EventRepository(manager).findPage({ tenantId, types, since, beforeSeq, limit: size + 1 }),
    );
    for (const row of rows) this.loaders.eventById.prime(row.id, row);
    return toConnection(rows, size, (event) => ({ value: event.seq, id: event.id }));
  }

  /** One event of the tenant; another tenant's id reads as not there. */
  byId(id: string): Promise<EventRecord | null> {
    return this.loaders.eventById.load(parseId(id));
  }

  async byReference(id: string): Promise<EventRecord | null> {
    return isUuid(id) ? this.loaders.eventById.load(id.toLowerCase()) : null;
  }
}

function validSeq(seq: string): string {
  if (seq !== '0' && !SEQ.test(seq)) {
    throw new ValidationError('afterSeq must be the seq of an event', { field: 'afterSeq' });
  }
  return seq;
}

function cursorSeq(after: string | null | undefined): string | null {
  const position = decodeCursor(after);
  if (position && (!SEQ.test(position.value) || !isUuid(position.id))) {
    throw new ValidationError('after is not a cursor of events', { field: 'after' });
  }
  return position?.value ?? null;
}

function typeFilter(types: readonly string[] | null | undefined): string[] | null {
  if (types === null || types === undefined) return null;
  if (types.length === 0 || types.length > MAX_EVENT_TYPE_FILTERS) {
    throw new ValidationError(
      `types takes 1 to ${MAX_EVENT_TYPE_FILTERS} event types (leave it out for all)`,
      { field: 'types' },
    );
  }
  for (const type of types) {
    if (type.length > MAX_EVENT_TYPE_LENGTH || !EVENT_TYPE_PATTERN.test(type)) {
      throw new ValidationError(
        `"${type.slice(0, 64)}" is not an event type: types look like "assets.asset.created"`,
        { field: 'types' },
      );
    }
  }
  return [...new Set(types)];
}
