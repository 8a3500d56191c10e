import { setImmediate as nextTurn } from 'node:timers/promises';
import { createTurnBatcher, type BatcherClock } from '../worker/webhooks/turn-batcher';

/** A clock whose time moves only when the test says, and whose timers fire then. */
function fakeClock(): BatcherClock & { advance(ms: number): void } {
  let now = 0;
  const timers: { at: number; fn: () => void }[] = [];
  return {
    now: () => now,
    after: (ms, fn) => {
      timers.push({ at: now + ms, fn });
    },
    advance(ms) {
      now += ms;
      for (const timer of timers.filter((candidate) => candidate.at <= now)) {
        timers.splice(timers.indexOf(timer), 1);
        timer.fn();
      }
    },
  };
}

/** A batcher whose batches finish only when the test releases them. */
function recordingBatcher(options: { maxInFlight: number; lingerMs: number; maxBatch: number }) {
  const clock = fakeClock();
  const batches: number[][] = [];
  const running: (() => void)[] = [];
  const enqueue = createTurnBatcher<number>({
    ...options,
    clock,
    take: (waiting) => waiting.splice(0, options.maxBatch),
    run: (batch) => {
      batches.push(batch);
      return new Promise<void>((resolve) => running.push(resolve));
    },
  });
  const finishOldest = async () => {
    running.shift()!();
    await nextTurn();
  };
  return { clock, batches, enqueue, finishOldest };
}

describe('the turn batcher', () => {
  it('without a linger, runs what arrived in one turn as one batch on the next', async () => {
    const { batches, enqueue } = recordingBatcher({ maxInFlight: 2, lingerMs: 0, maxBatch: 64 });
    enqueue(1);
    enqueue(2);
    expect(batches).toEqual([]);
    await nextTurn();
    expect(batches).toEqual([[1, 2]]);
    enqueue(3);
    await nextTurn();
    expect(batches).toEqual([[1, 2], [3]]);
  });

  it('with a linger, holds a small batch until its oldest entry has waited that long', async () => {
    const { clock, batches, enqueue } = recordingBatcher({
      maxInFlight: 2,
      lingerMs: 5,
      maxBatch: 64,
    });
    enqueue(1);
    await nextTurn();
    clock.advance(3);
    enqueue(2);
    await nextTurn();
    expect(batches).toEqual([]);
    clock.advance(2);
    expect(batches).toEqual([[1, 2]]);
  });

  it('runs a full batch at once, linger or not', async () => {
    const { batches, enqueue } = recordingBatcher({ maxInFlight: 2, lingerMs: 5, maxBatch: 3 });
    [1, 2, 3, 4].forEach(enqueue);
    await nextTurn();
    // Three make a full batch; the fourth is the oldest of the next, which lingers.
    expect(batches).toEqual([[1, 2, 3]]);
  });

  it('lets entries that waited behind batches in flight go as soon as a slot frees', async () => {
    const { clock, batches, enqueue, finishOldest } = recordingBatcher({
      maxInFlight: 1,
      lingerMs: 5,
      maxBatch: 64,
    });
    enqueue(1);
    await nextTurn();
    clock.advance(5);
    expect(batches).toEqual([[1]]);
    enqueue(2);
    await nextTurn();
    clock.advance(10);
    // Its linger is over, but the only slot is taken.
    expect(batches).toEqual([[1]]);
    enqueue(3);
    await finishOldest();
    expect(batches).toEqual([[1], [2, 3]]);
  });

  it('never runs more than maxInFlight batches at once', async () => {
    const { batches, enqueue, finishOldest } = recordingBatcher({
      maxInFlight: 2,
      lingerMs: 0,
      maxBatch: 1,
    });
    [1, 2, 3].forEach(enqueue);
    await nextTurn();
    expect(batches).toEqual([[1], [2]]);
    await finishOldest();
    expect(batches).toEqual([[1], [2], [3]]);
  });
});
