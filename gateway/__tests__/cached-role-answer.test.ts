import { decodeCachedAnswer, encodeCachedAnswer } from '../auth/cached-role-answer';

// The role answers every gateway pod shares through Redis: what is written reads back the
// same, and anything else found under the key (another version's format, a hand edit, a
// value that is not JSON) reads as no entry, so the resolver asks tenancy again.

describe('the Redis copy of a role answer', () => {
  it('reads back what was written, generation included', () => {
    const member = { tenantStatus: 'ACTIVE', role: 'ADMIN' } as const;
    expect(decodeCachedAnswer(encodeCachedAnswer(member, 'g1'))).toEqual({
      answer: member,
      generation: 'g1',
    });
    const none = { tenantStatus: null, role: null };
    expect(decodeCachedAnswer(encodeCachedAnswer(none, null))).toEqual({
      answer: none,
      generation: null,
    });
  });

  it.each([
    ['not JSON', '{"g":'],
    ['JSON null', 'null'],
    ['a role that does not exist', '{"g":null,"s":"ACTIVE","r":"ROOT"}'],
    ['a status that does not exist', '{"g":null,"s":"GONE","r":"ADMIN"}'],
    ['a generation that is not a string', '{"g":7,"s":"ACTIVE","r":"ADMIN"}'],
    ['fields missing', '{"s":"ACTIVE"}'],
  ])('reads %s as no entry', (_what, raw) => {
    expect(decodeCachedAnswer(raw)).toBeUndefined();
  });
});
