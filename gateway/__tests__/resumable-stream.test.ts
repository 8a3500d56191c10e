import {
  resumableStream,
  SlowConsumerError,
  type ResumableSource,
} from '../subscriptions/resumable-stream';

interface TestEvent {
  seq: bigint;
}

/** A journal of seqs 1..n and a live feed the test pushes into by hand. */
function fakeSource(journalSize: number) {
  let journal = Array.from({ length: journalSize }, (_, i) => ({ seq: BigInt(i + 1) }));
  let push: (event: TestEvent) => void = () => undefined;
  const replays: bigint[] = [];
  const source: ResumableSource<TestEvent> = {
    async listen(onEvent) {
      push = onEvent;
      return () => {
        push = () => undefined;
      };
    },
    async replay(after, limit) {
      replays.push(after);
      return journal.filter((event) => event.seq > after).slice(0, limit);
    },
    seqOf: (event) => event.seq,
  };
  return {
    source,
    replays,
    /** Commits seq to the journal and publishes it live. */
    commit(seq: number, publish = true) {
      journal = [...journal, { seq: BigInt(seq) }];
      if (publish) push({ seq: BigInt(seq) });
    },
    publish: (seq: number) => push({ seq: BigInt(seq) }),
  };
}

async function take(stream: AsyncIterableIterator<TestEvent>, count: number): Promise<number[]> {
  const seen: number[] = [];
  while (seen.length < count) {
    const next = await stream.next();
    if (next.done) break;
    seen.push(Number(next.value.seq));
  }
  return seen;
}

describe('resumable event stream', () => {
  it('replays after the given seq, then continues live, skipping what was replayed', async () => {
    const feed = fakeSource(250);
    const stream = resumableStream(feed.source, { afterSeq: 10n, maxBuffered: 1000 });
    const first = await take(stream, 240);
    expect(first).toEqual(Array.from({ length: 240 }, (_, i) => i + 11));
    // Live messages of events already replayed are dropped; new ones come through.
    feed.publish(250);
    feed.commit(251);
    feed.commit(252);
    expect(await take(stream, 2)).toEqual([251, 252]);
    await stream.return?.();
  });

  it('fills a gap in the live feed from the journal', async () => {
    const feed = fakeSource(5);
    const stream = resumableStream(feed.source, { afterSeq: 5n, maxBuffered: 100 });
    feed.commit(6);
    feed.commit(7, false); // lost on its way (a Redis reconnect)
    feed.commit(8, false);
    feed.commit(9);
    expect(await take(stream, 4)).toEqual([6, 7, 8, 9]);
    await stream.return?.();
  });

  it('starts at the first live event without afterSeq, and drops repeats', async () => {
    const feed = fakeSource(40);
    const stream = resumableStream(feed.source, { afterSeq: null, maxBuffered: 100 });
    const taking = take(stream, 3);
    await new Promise((resolve) => setImmediate(resolve));
    feed.commit(41);
    feed.publish(41);
    feed.commit(42);
    feed.commit(43);
    expect(await taking).toEqual([41, 42, 43]);
    expect(feed.replays).toEqual([]);
    await stream.return?.();
  });

  it('gives up with SlowConsumerError instead of buffering without bound', async () => {
    const feed = fakeSource(0);
    const stream = resumableStream(feed.source, { afterSeq: 0n, maxBuffered: 3 });
    await take(stream, 0);
    await new Promise((resolve) => setImmediate(resolve));
    for (let seq = 1; seq <= 5; seq += 1) feed.commit(seq);
    await expect(take(stream, 5)).rejects.toBeInstanceOf(SlowConsumerError);
  });

  it('stops listening when the subscriber leaves', async () => {
    const feed = fakeSource(0);
    const stream = resumableStream(feed.source, { afterSeq: null, maxBuffered: 10 });
    const waiting = stream.next();
    await new Promise((resolve) => setImmediate(resolve));
    await stream.return?.();
    expect(await waiting).toEqual({ value: undefined, done: true });
  });
});
