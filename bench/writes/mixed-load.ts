import type { TestStack } from '../../testing/stack';
import type { WebhookReceiver } from '../../testing/webhook-receiver';
import { waitFor } from '../../testing/ws-client';
import { runClosedLoop } from '../lib/closed-loop';
import { startBackgroundTraffic } from './background-traffic';
import { measuredRun, type MeasuredRun } from './measured-run';
import type { WriteKind } from './mutations';
import type { TenantWritesOptions } from './writes-report';
import type { Writer } from './writers';

export interface MixedLoad {
  run: MeasuredRun;
  /** Webhook deliveries that arrived while the writes were measured. */
  delivered: number;
  /** Subscription events that arrived while the writes were measured. */
  fannedOut: number;
  /** Subscription events journaled but not yet received when the writes stopped. */
  lagAtEnd: number;
  /** How long after the writes stopped every subscription had caught up with them. */
  caughtUpMs: number;
}

/**
 * `write` measured again with background traffic running (see background-traffic.ts), once
 * every subscription is live. `journaled` is told of every write that succeeded.
 */
export async function measureMixedLoad(setup: {
  stack: TestStack;
  receiver: WebhookReceiver;
  writers: readonly Writer[];
  write: WriteKind;
  pids: Readonly<Record<string, number>>;
  options: TenantWritesOptions;
  journaled: (types: string[], times: number) => void;
}): Promise<MixedLoad> {
  const { stack, writers, write, options } = setup;
  const background = await startBackgroundTraffic(stack, setup.receiver, writers, options);
  try {
    // Writes until every subscription has seen one of its tenant's events (so it is live).
    await waitFor(async () => {
      await Promise.all(writers.map((writer) => write.step(writer, 0)));
      setup.journaled(write.journals, writers.length);
      return (await background.subscribers()).allLive;
    }, 60_000);
    const delivered = background.delivered();
    const fannedOut = (await background.subscribers()).received;
    const run = await measuredRun(
      `gateway: ${write.name}, with ${options.subscriptions} subscriptions and webhook deliveries`,
      stack.db,
      setup.pids,
      () =>
        runClosedLoop({
          durationMs: options.durationMs,
          warmupMs: options.warmupMs,
          concurrency: writers.length,
          step: (client, turn) => write.step(writers[client]!, turn),
        }),
    );
    setup.journaled(write.journals, run.succeededTotal);
    // A fan-out that falls behind leaves the writes more of the machine while measured: how
    // far behind it was shows whether the rate above is one the subscribers kept up with.
    const stopped = performance.now();
    const newest = await background.newestSeqs();
    const lagAtEnd = (await background.behind(newest)).events;
    await waitFor(async () => (await background.behind(newest)).events === 0, 60_000).catch(
      async () => {
        const { events, subscriptions } = await background.behind(newest);
        throw new Error(
          `${subscriptions} subscriptions were still ${events} events behind 60 s after the ` +
            `writes stopped`,
        );
      },
    );
    const caughtUpMs = Math.round(performance.now() - stopped);
    const after = await background.subscribers();
    // A subscription the gateway dropped makes the fan-out, and so the load, smaller than
    // the one described: the run would measure less than it claims.
    if (after.ended > 0) {
      throw new Error(
        `${after.ended} of ${options.subscriptions} subscriptions ended during the mixed load ` +
          `(first: ${after.firstError ?? 'completed'})`,
      );
    }
    return {
      run,
      delivered: background.delivered() - delivered,
      fannedOut: after.received - fannedOut,
      lagAtEnd,
      caughtUpMs,
    };
  } finally {
    await background.stop();
  }
}
