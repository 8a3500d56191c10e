import type { RequestContext } from '../../../platform/context/request-context';
import { assertRequirement, type FieldRequirement } from '../../../platform/graphql/field-policy';

/** What reading the journal takes: `events`' own requirement (see schema/jobs.graphql). */
const JOURNAL_READER: FieldRequirement = { role: 'VIEWER', scope: 'events:read' };

/**
 * Webhooks carry journal payloads out of Tessera, so choosing where and which events go
 * (creating an endpoint, changing its url or event types, replaying) takes what reading the
 * journal takes, besides `webhooks:manage`: an API key needs `events:read` too. Throws
 * FORBIDDEN naming `field` otherwise.
 */
export function assertJournalReader(request: RequestContext, field: string): void {
  assertRequirement(JOURNAL_READER, request, field);
}
