import { Registry } from 'prom-client';
import { ErrorCode } from '../errors/codes';
import { Bulkhead } from '../resilience/bulkhead';
import { CircuitBreaker, type CircuitState } from '../resilience/circuit-breaker';
import { guardMetrics } from '../resilience/guard-metrics';
import { TargetGuard, TargetUnavailableError } from '../resilience/target-guard';

/** A clock the test moves by hand. */
function fakeClock(start = 1_000_000) {
  let now = start;
  return { now: () => now, advance: (ms: number) => void (now += ms) };
}

function breaker(clock = fakeClock()) {
  const changes: CircuitState[] = [];
  const circuit = new CircuitBreaker({
    failureThreshold: 3,
    coolDownMs: 10_000,
    now: clock.now,
    onStateChange: (state) => changes.push(state),
  });
  return { circuit, clock, changes };
}

/** Admits a call (it must be admitted) and returns whether it is the probe. */
function admitted(circuit: CircuitBreaker): boolean {
  const admission = circuit.admit();
  if (!admission.admitted) throw new Error('expected the call to be admitted');
  return admission.probe;
}

describe('CircuitBreaker', () => {
  it('opens after the threshold of consecutive failures, not before', () => {
    const { circuit, changes } = breaker();
    circuit.failed(admitted(circuit));
    circuit.failed(admitted(circuit));
    expect(circuit.state).toBe('closed');
    circuit.failed(admitted(circuit));
    expect(circuit.state).toBe('open');
    expect(changes).toEqual(['open']);
    expect(circuit.admit()).toEqual({ admitted: false, retryAfterMs: 10_000 });
  });

  it('a success between failures resets the count', () => {
    const { circuit } = breaker();
    circuit.failed(admitted(circuit));
    circuit.failed(admitted(circuit));
    circuit.succeeded(admitted(circuit));
    circuit.failed(admitted(circuit));
    circuit.failed(admitted(circuit));
    expect(circuit.state).toBe('closed');
  });

  it('refuses with the time left of the cool-down, then lets exactly one probe through', () => {
    const { circuit, clock, changes } = breaker();
    for (let i = 0; i < 3; i++) circuit.failed(admitted(circuit));
    clock.advance(9_000);
    expect(circuit.refusal()).toBe(1_000);
    expect(circuit.admit()).toEqual({ admitted: false, retryAfterMs: 1_000 });
    clock.advance(1_000);
    expect(circuit.refusal()).toBeUndefined();
    expect(circuit.admit()).toEqual({ admitted: true, probe: true });
    expect(circuit.state).toBe('half-open');
    // Others wait while the probe is out.
    expect(circuit.admit()).toMatchObject({ admitted: false });
    circuit.succeeded(true);
    expect(circuit.state).toBe('closed');
    expect(changes).toEqual(['open', 'half-open', 'closed']);
    expect(circuit.admit()).toEqual({ admitted: true, probe: false });
  });

  it('a failed probe opens the circuit for another full cool-down', () => {
    const { circuit, clock } = breaker();
    for (let i = 0; i < 3; i++) circuit.failed(admitted(circuit));
    clock.advance(10_000);
    circuit.failed(admitted(circuit));
    expect(circuit.state).toBe('open');
    clock.advance(9_999);
    expect(circuit.admit()).toEqual({ admitted: false, retryAfterMs: 1 });
    clock.advance(1);
    expect(circuit.admit()).toEqual({ admitted: true, probe: true });
  });

  it('late answers of calls admitted before it opened do not move the circuit', () => {
    const { circuit, clock } = breaker();
    const early = [admitted(circuit), admitted(circuit)];
    for (let i = 0; i < 3; i++) circuit.failed(admitted(circuit));
    circuit.succeeded(early[0]!);
    expect(circuit.state).toBe('open');
    clock.advance(10_000);
    const probe = admitted(circuit);
    circuit.failed(early[1]!);
    expect(circuit.state).toBe('half-open');
    circuit.succeeded(probe);
    expect(circuit.state).toBe('closed');
  });
});

describe('Bulkhead', () => {
  it('runs up to its limit, queues up to its queue, refuses the rest at once', async () => {
    const bulkhead = new Bulkhead({ maxConcurrent: 2, maxQueued: 1 });
    const first = await bulkhead.acquire()!;
    const second = await bulkhead.acquire()!;
    let queuedGotSlot = false;
    const queued = bulkhead.acquire()!.then((release) => {
      queuedGotSlot = true;
      return release;
    });
    expect(bulkhead.acquire()).toBeUndefined();
    expect([bulkhead.inFlight, bulkhead.queued]).toEqual([2, 1]);
    first();
    first(); // a second release of the same slot frees nothing more
    const third = await queued;
    expect(queuedGotSlot).toBe(true);
    expect([bulkhead.inFlight, bulkhead.queued]).toEqual([2, 0]);
    second();
    third();
    expect(bulkhead.inFlight).toBe(0);
  });
});

describe('TargetGuard', () => {
  const isFailure = (error: unknown) => !(error instanceof RangeError);

  function guard(clock = fakeClock()) {
    const registry = new Registry();
    const target = new TargetGuard({
      target: 'assets',
      failureThreshold: 2,
      coolDownMs: 5_000,
      maxConcurrent: 1,
      maxQueued: 1,
      now: clock.now,
      metrics: guardMetrics(registry),
    });
    const metric = async (name: string) =>
      (await registry.getSingleMetric(name)!.get()).values.map(({ labels, value }) => ({
        labels,
        value,
      }));
    return { target, clock, metric };
  }

  it('refuses with SERVICE_UNAVAILABLE and retryAfter in seconds while open, and shows the state', async () => {
    const { target, clock, metric } = guard();
    const failing = () => Promise.reject(new Error('no answer'));
    await expect(target.run(failing, isFailure)).rejects.toThrow('no answer');
    await expect(target.run(failing, isFailure)).rejects.toThrow('no answer');
    expect(await metric('tessera_circuit_state')).toEqual([
      { labels: { target: 'assets' }, value: 2 },
    ]);
    let called = false;
    const refused = await target
      .run(async () => (called = true), isFailure)
      .catch((error: unknown) => error);
    expect(called).toBe(false);
    expect(refused).toBeInstanceOf(TargetUnavailableError);
    expect(refused).toMatchObject({
      code: ErrorCode.SERVICE_UNAVAILABLE,
      httpStatus: 503,
      reason: 'open',
      details: { retryAfter: 5 },
    });
    expect(await metric('tessera_circuit_rejections_total')).toEqual([
      { labels: { target: 'assets', reason: 'open' }, value: 1 },
    ]);
    clock.advance(5_000);
    await expect(target.run(async () => 'back', isFailure)).resolves.toBe('back');
    expect(target.state).toBe('closed');
    expect(await metric('tessera_circuit_state')).toEqual([
      { labels: { target: 'assets' }, value: 0 },
    ]);
  });

  it('errors that only refuse the caller do not count against the target', async () => {
    const { target } = guard();
    for (let i = 0; i < 3; i++) {
      await expect(
        target.run(() => Promise.reject(new RangeError('403')), isFailure),
      ).rejects.toThrow('403');
    }
    expect(target.state).toBe('closed');
  });

  it('a full bulkhead and queue refuse at once, and a queued call runs when a slot frees', async () => {
    const { target, metric } = guard();
    let finish!: () => void;
    const hanging = target.run(
      () => new Promise<string>((resolve) => (finish = () => resolve('slow'))),
      isFailure,
    );
    const queued = target.run(async () => 'queued', isFailure);
    await expect(target.run(async () => 'third', isFailure)).rejects.toMatchObject({
      reason: 'bulkhead_full',
      details: { retryAfter: 1 },
    });
    expect(await metric('tessera_circuit_rejections_total')).toEqual([
      { labels: { target: 'assets', reason: 'bulkhead_full' }, value: 1 },
    ]);
    finish();
    await expect(hanging).resolves.toBe('slow');
    await expect(queued).resolves.toBe('queued');
  });

  it('a call queued when the circuit opens is refused once it gets its slot, not made', async () => {
    const { target } = guard();
    await expect(
      target.run(() => Promise.reject(new Error('timeout')), isFailure),
    ).rejects.toThrow();
    let fail!: (error: Error) => void;
    let started!: () => void;
    const callStarted = new Promise<void>((resolve) => (started = resolve));
    const holding = target.run(
      () =>
        new Promise<string>((_, reject) => {
          fail = reject;
          started();
        }),
      isFailure,
    );
    await callStarted;
    let queuedCalled = false;
    const queued = target.run(async () => (queuedCalled = true), isFailure);
    fail(new Error('timeout'));
    await expect(holding).rejects.toThrow('timeout');
    await expect(queued).rejects.toMatchObject({ reason: 'open' });
    expect(queuedCalled).toBe(false);
    expect(target.state).toBe('open');
  });
});
