import type { PublishedEvent } from '../../../platform/events/channel';
import { holdsAllWaiting } from '../repositories/relay.repository';

// When the relay may stop asking for unpublished events: only when the batch it got cannot
// have left any out, by how events.unpublished shares a batch between scopes (each scope with
// waiting events gets max(1, size / scopes) of it, the platform counting as one scope).

function events(...scopes: [tenantId: string | null, count: number][]): PublishedEvent[] {
  return scopes.flatMap(([tenantId, count]) =>
    Array.from({ length: count }, (_, index) => ({
      id: `${tenantId ?? 'platform'}-${index}`,
      tenantId,
      seq: String(index + 1),
      type: 'assets.asset.created',
      payload: {},
      actor: null,
      requestId: null,
      ip: null,
      userAgent: null,
      occurredAt: new Date(0).toISOString(),
    })),
  );
}

describe('whether a batch held every waiting event', () => {
  it('holds all when one scope got fewer than the whole batch', () => {
    expect(holdsAllWaiting(events(['a', 3]), 100)).toBe(true);
    expect(holdsAllWaiting(events([null, 99]), 100)).toBe(true);
  });

  it('may have left some out when the batch is full', () => {
    expect(holdsAllWaiting(events(['a', 100]), 100)).toBe(false);
    expect(holdsAllWaiting(events(['a', 60], ['b', 40]), 100)).toBe(false);
  });

  it('may have left some out when a scope got its whole share of a short batch', () => {
    // Three scopes share 100 as 33 each: "a" may have more than the 33 it got.
    expect(holdsAllWaiting(events(['a', 33], ['b', 1], [null, 1]), 100)).toBe(false);
    expect(holdsAllWaiting(events(['a', 32], ['b', 1], [null, 1]), 100)).toBe(true);
  });

  it('may have left some out when there were as many scopes as the batch holds', () => {
    // Each of ten scopes gets one of ten: a full batch, whatever else waits.
    const ten = Array.from({ length: 10 }, (_, n): [string, number] => [`t${n}`, 1]);
    expect(holdsAllWaiting(events(...ten), 10)).toBe(false);
    // Nine scopes sharing ten get one each, and one each is their whole share.
    expect(holdsAllWaiting(events(...ten.slice(0, 9)), 10)).toBe(false);
  });

  it('holds all of an empty journal', () => {
    expect(holdsAllWaiting([], 100)).toBe(true);
  });
});
