/**
 * A tenant's event stream for one subscriber, gap-free and duplicate-free by seq:
 *
 * 1. listen live first, buffering what arrives;
 * 2. with `afterSeq`, replay from the journal everything after it, page by page, until a
 *    short page says it caught up;
 * 3. then hand out the buffer and what follows, skipping every seq already handed out; a
 *    live event that jumps ahead (a pub/sub message lost during a Redis reconnect) makes the
 *    stream replay the missing range from the journal before going on.
 *
 * The buffer is bounded: a subscriber that does not keep up gets {@link SlowConsumerError}
 * instead of growing memory.
 */
export interface ResumableSource<E> {
  /** Starts live delivery; resolves once listening, with the function that stops it. */
  listen(onEvent: (event: E) => void): Promise<() => void>;
  /** Events with seq greater than `after`, ascending, at most `limit` of them. */
  replay(after: bigint, limit: number): Promise<E[]>;
  seqOf(event: E): bigint;
}

export class SlowConsumerError extends Error {
  constructor(readonly limit: number) {
    super(`subscriber fell more than ${limit} events behind`);
    this.name = 'SlowConsumerError';
  }
}

const PAGE = 100;

export function resumableStream<E>(
  source: ResumableSource<E>,
  options: { afterSeq: bigint | null; maxBuffered: number },
): AsyncIterableIterator<E> {
  const buffer: E[] = [];
  let failure: Error | null = null;
  let wake: (() => void) | null = null;
  let stop: (() => void) | null = null;
  let done = false;
  let last = options.afterSeq;
  const pending: E[] = [];

  const onEvent = (event: E) => {
    if (done || failure) return;
    if (buffer.length >= options.maxBuffered) {
      failure = new SlowConsumerError(options.maxBuffered);
    } else {
      buffer.push(event);
    }
    wake?.();
  };

  /** Fills `pending` from the journal with everything after `last` up to and including `upTo`. */
  const catchUp = async (upTo: bigint | null) => {
    if (last === null) return;
    await replayRange(source, last, upTo, (event, seq) => {
      pending.push(event);
      last = seq;
    });
  };

  const started = (async () => {
    stop = await source.listen(onEvent);
    if (done) stop(); // returned while still connecting
    await catchUp(null);
  })();

  const next = async (): Promise<IteratorResult<E>> => {
    await started;
    for (;;) {
      if (failure) throw failure;
      if (done) return { value: undefined, done: true };
      const ready = pending.shift();
      if (ready !== undefined) return { value: ready, done: false };
      const event = buffer.shift();
      if (event === undefined) {
        await new Promise<void>((resolve) => (wake = resolve));
        wake = null;
        continue;
      }
      const seq = source.seqOf(event);
      if (last === null) last = seq - 1n;
      if (seq <= last) continue; // replayed already, or a repeated publish
      // Something was lost between `last` and this event: fetch it, then this one.
      if (seq > last + 1n) await catchUp(seq - 1n);
      pending.push(event);
      last = seq;
    }
  };

  const finish = (): Promise<IteratorResult<E>> => {
    done = true;
    stop?.();
    wake?.();
    return Promise.resolve({ value: undefined, done: true });
  };

  return {
    next,
    return: finish,
    throw: async (error: unknown) => {
      await finish();
      throw error;
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}

/** Hands over, page by page, the journal's events after `after` up to and including `upTo`. */
async function replayRange<E>(
  source: ResumableSource<E>,
  after: bigint,
  upTo: bigint | null,
  take: (event: E, seq: bigint) => void,
): Promise<void> {
  for (;;) {
    const page = await source.replay(after, PAGE);
    for (const event of page) {
      const seq = source.seqOf(event);
      if (seq <= after) continue;
      if (upTo !== null && seq > upTo) return;
      take(event, seq);
      after = seq;
    }
    if (page.length < PAGE || (upTo !== null && after >= upTo)) return;
  }
}
