import { Client } from 'pg';

/**
 * What every pg connection of this process sends to PostgreSQL while `fn` runs, one entry per
 * round trip: a statement's text, or a pipeline's statements joined by `;\n`
 * (platform/db/pipelined-query.ts). Uses jest's spy on the client class, so only in tests.
 */
export async function roundTripsOf(fn: () => Promise<unknown>): Promise<string[]> {
  const sent = jest.spyOn(Client.prototype, 'query');
  try {
    await fn();
    return sent.mock.calls.map(([statement]) =>
      typeof statement === 'string' ? statement : (statement as { text: string }).text,
    );
  } finally {
    sent.mockRestore();
  }
}
