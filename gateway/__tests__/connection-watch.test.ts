import { randomUUID } from 'node:crypto';
import pino from 'pino';
import {
  anonymousContext,
  type RequestContext,
  type Role,
} from '../../platform/context/request-context';
import type { RoleAnswer } from '../auth/role-resolver';
import { ConnectionWatch, type WatchedConnection } from '../subscriptions/connection-watch';

// The pod-wide watch over open sockets, with a clock, revocation lists and a role lookup of
// the test's own: what ends a socket, when, and what the watch asks tenancy.

const tenantId = randomUUID();
let now = 1_000_000;
const revokedSessions = new Set<string>();
const keyEndings = new Map<string, number>();
let answers: Map<string, RoleAnswer>;
let lookups: string[];
let failLookups = false;

function watch(): ConnectionWatch {
  return new ConnectionWatch({
    revocations: { isRevoked: (id) => revokedSessions.has(id) },
    apiKeyEndings: {
      hasEnded: (id, at = now) => keyEndings.has(id) && keyEndings.get(id)! <= at,
    },
    roles: {
      resolve: async (tenant, principal) => {
        lookups.push(principal);
        if (failLookups) throw new Error('tenancy unreachable');
        return answers.get(principal) ?? { tenantStatus: 'ACTIVE', role: null };
      },
    },
    logger: pino({ level: 'silent' }),
    now: () => now,
  });
}

interface Socket extends WatchedConnection {
  endedWith: string | null;
}

function socket(
  principal: RequestContext['principal'],
  options: { expiresAt?: number; keyCreator?: string; sessionId?: string } = {},
): Socket {
  const connection: Socket = {
    request: {
      ...anonymousContext(randomUUID()),
      tenantId,
      principal,
      sessionId: options.sessionId ?? null,
    },
    expiresAt: options.expiresAt ?? null,
    keyCreator: options.keyCreator ?? null,
    endedWith: null,
    end: (reason) => {
      connection.endedWith = reason;
    },
  };
  return connection;
}

const user = () => ({ kind: 'user' as const, id: randomUUID() });
const key = () => ({ kind: 'apiKey' as const, id: randomUUID() });
const member = (role: Role | null, tenantStatus: RoleAnswer['tenantStatus'] = 'ACTIVE') => ({
  tenantStatus,
  role,
});

beforeEach(() => {
  answers = new Map();
  lookups = [];
  failLookups = false;
});

it("ends a key's socket at its expiry, and not a tick before", async () => {
  const w = watch();
  const expiring = socket(key(), { expiresAt: now + 1_000 });
  w.add(expiring);
  now += 999;
  await w.check();
  expect(expiring.endedWith).toBeNull();
  now += 1;
  await w.check();
  expect(expiring.endedWith).toBe('API key expired');
  expect(w.size).toBe(0);
});

it("ends a rotated key's socket when its grace ends, and a revoked key's at once", async () => {
  const w = watch();
  const rotated = socket(key());
  const revoked = socket(key());
  w.add(rotated);
  w.add(revoked);
  keyEndings.set(rotated.request.principal!.id, now + 3_600_000);
  keyEndings.set(revoked.request.principal!.id, now);
  await w.check();
  expect([rotated.endedWith, revoked.endedWith]).toEqual([null, 'API key revoked or replaced']);
  now += 3_600_000;
  await w.check();
  expect(rotated.endedWith).toBe('API key revoked or replaced');
});

it('ends sockets of revoked sessions and expired access tokens', async () => {
  const w = watch();
  const sessionId = randomUUID();
  const revoked = socket(user(), { sessionId });
  const expired = socket(user(), { expiresAt: now });
  const fine = socket(user(), { expiresAt: now + 60_000, sessionId: randomUUID() });
  for (const s of [revoked, expired, fine]) w.add(s);
  revokedSessions.add(sessionId);
  await w.check();
  expect([revoked.endedWith, expired.endedWith, fine.endedWith]).toEqual([
    'Session revoked',
    'Access token expired',
    null,
  ]);
});

it('asks once per tenant and key creator, and ends the sockets of a creator who lost the role', async () => {
  const w = watch();
  const creator = randomUUID();
  const stillAdmin = randomUUID();
  const [a, b] = [socket(key(), { keyCreator: creator }), socket(key(), { keyCreator: creator })];
  const kept = socket(key(), { keyCreator: stillAdmin });
  const users = [socket(user()), socket(user())];
  for (const s of [a, b, kept, ...users]) w.add(s);
  answers.set(creator, member('MEMBER'));
  answers.set(stillAdmin, member('ADMIN'));
  await w.check();
  expect(lookups.sort()).toEqual([creator, stillAdmin, users[0]!.request.principal!.id].sort());
  expect([a.endedWith, b.endedWith]).toEqual([
    'API key revoked: its creator no longer manages the tenant',
    'API key revoked: its creator no longer manages the tenant',
  ]);
  expect([kept.endedWith, ...users.map((s) => s.endedWith)]).toEqual([null, null, null]);
});

it('ends every socket of a suspended or deleted tenant', async () => {
  const w = watch();
  const creator = randomUUID();
  const keySocket = socket(key(), { keyCreator: creator });
  const userSocket = socket(user());
  w.add(keySocket);
  w.add(userSocket);
  answers.set(creator, member('OWNER', 'SUSPENDED'));
  answers.set(userSocket.request.principal!.id, member('VIEWER', 'SUSPENDED'));
  await w.check();
  expect([keySocket.endedWith, userSocket.endedWith]).toEqual([
    'Tenant suspended',
    'Tenant suspended',
  ]);

  const later = socket(user());
  w.add(later);
  answers.set(later.request.principal!.id, member(null, null));
  await w.check();
  expect(later.endedWith).toBe('Tenant deleted');
});

it('keeps sockets open while tenancy cannot answer, and asks again on the next tick', async () => {
  const w = watch();
  const creator = randomUUID();
  const s = socket(key(), { keyCreator: creator });
  w.add(s);
  answers.set(creator, member(null));
  failLookups = true;
  await w.check();
  expect(s.endedWith).toBeNull();
  failLookups = false;
  await w.check();
  expect(s.endedWith).toBe('API key revoked: its creator no longer manages the tenant');
});

it('runs one round of lookups at a time, while the clock checks go on every tick', async () => {
  let release: () => void = () => undefined;
  const slow = new ConnectionWatch({
    revocations: { isRevoked: () => false },
    apiKeyEndings: { hasEnded: () => false },
    roles: {
      resolve: () => {
        lookups.push('asked');
        return new Promise<RoleAnswer>((resolve) => {
          release = () => resolve(member('ADMIN'));
        });
      },
    },
    logger: pino({ level: 'silent' }),
    now: () => now,
  });
  const s = socket(key(), { keyCreator: randomUUID(), expiresAt: now + 10 });
  slow.add(s);
  const first = slow.check();
  now += 10;
  await slow.check();
  expect(s.endedWith).toBe('API key expired');
  expect(lookups).toEqual(['asked']);
  release();
  await first;
});
