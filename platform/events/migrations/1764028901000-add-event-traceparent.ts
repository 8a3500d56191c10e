import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The W3C `traceparent` of the request that appended an event, when tracing is on: the relay's
 * webhook fan-out hands it to each delivery job, so the worker's delivery continues the trace
 * of the request that caused it. NULL when tracing is off or nothing was being traced.
 */
export class AddEventTraceparent1764028901000 implements MigrationInterface {
  name = 'AddEventTraceparent1764028901000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      ALTER TABLE events.events ADD COLUMN traceparent text
        CHECK (traceparent ~ '^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$')`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`ALTER TABLE events.events DROP COLUMN traceparent`);
  }
}
