import pg, { Query, type Connection, type QueryResult } from 'pg';

/** One statement of a pipeline, with its parameters. */
export interface PipelinedStatement {
  text: string;
  values?: readonly unknown[];
}

/** What pg's Query does under its public surface, used here as pg-cursor does. */
interface QueryInternals {
  requiresPreparation(): boolean;
  prepare(connection: Connection): void;
}

/** A parameter as pg sends it: text, bytes or NULL. */
type WireValue = string | Buffer | null | undefined;

/** pg's own conversion of a parameter to what it sends (its `utils` are not in its types). */
const prepareValue = (
  pg as unknown as { utils: { prepareValue: (this: void, value: unknown) => WireValue } }
).utils.prepareValue;

/**
 * Several statements sent as one write and answered in one round trip: each is parsed, bound
 * and executed with the extended protocol, and one Sync closes the lot. PostgreSQL runs them
 * in order, in one transaction unless the first opens a block of its own (then the block
 * stays open after the Sync, as after any statement). After an error the server skips the
 * rest up to the Sync, so none of the later statements runs, and the error is this query's.
 *
 * The answer is one pg result per statement, in order. Values are converted (as pg converts
 * them) before anything is written, so a value pg cannot send fails the query before the
 * first statement reaches the server.
 */
export class PipelinedQuery extends Query {
  private readonly statements: { text: string; values: WireValue[] }[];

  constructor(
    statements: readonly PipelinedStatement[],
    callback: (error: Error | undefined, results: QueryResult[]) => void,
  ) {
    if (statements.length === 0) throw new Error('A pipeline needs at least one statement');
    const prepared = statements.map(({ text, values = [] }) => ({
      text,
      values: values.map((value) => prepareValue(value)),
    }));
    // pg calls this from its message handlers: it must not throw.
    super({ text: prepared.map(({ text }) => text).join(';\n') }, (error, result) => {
      if (error) return callback(error, []);
      const results = (Array.isArray(result) ? result : [result]) as QueryResult[];
      if (results.length === prepared.length) return callback(undefined, results);
      callback(
        new Error(`A pipeline of ${prepared.length} statements had ${results.length} answers`),
        [],
      );
    });
    this.statements = prepared;
    const internals = this as unknown as QueryInternals;
    internals.requiresPreparation = () => true;
    internals.prepare = (connection) => this.sendAll(connection);
  }

  /** Each statement goes unnamed ('') and so does its portal: each replaces the one before. */
  private sendAll(connection: Connection): void {
    for (const { text, values } of this.statements) {
      connection.parse({ text, name: '', types: [] }, true);
      connection.bind({ portal: '', statement: '', values }, true);
      connection.describe({ type: 'P', name: '' }, true);
      connection.execute({ portal: '' }, true);
    }
    connection.sync();
  }
}

/** Sends `statements` on `client` as one pipeline: their results, or the first error. */
export function sendPipeline(
  client: { query: (query: PipelinedQuery) => unknown },
  statements: readonly PipelinedStatement[],
): Promise<QueryResult[]> {
  return new Promise((resolve, reject) => {
    client.query(
      new PipelinedQuery(statements, (error, results) =>
        error ? reject(error) : resolve(results),
      ),
    );
  });
}
