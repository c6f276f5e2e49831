import { status } from '@grpc/grpc-js';
import { Breaker, BreakerOptions, BreakerState } from '../../../src/platform/breaker/circuit-breaker';
import { CancelledError, InvalidInputError, NotFoundError, TimeoutError, UnavailableError } from '../../../src/platform/errors/domain-errors';
import { silentLogger } from '../../../src/platform/log/logger';
import { sleep, waitFor } from '../../support/wait';

/** What the action does on its next call: resolve with the value, or reject with the error. */
type Outcome = { value: string } | { error: unknown } | { delayMs: number };

/** A Breaker around a plain async action whose outcome the test sets, counting its calls. */
function breakerWith(options: Partial<BreakerOptions> = {}) {
  let outcome: Outcome = { value: 'ok' };
  let calls = 0;
  const states: BreakerState[] = [];
  const breaker = new Breaker(
    async (input: string): Promise<string> => {
      calls += 1;
      const now = outcome;
      if ('delayMs' in now) {
        await sleep(now.delayMs);
        return `late ${input}`;
      }
      if ('error' in now) throw now.error;
      return `${now.value} ${input}`;
    },
    {
      name: 'probe.Call',
      timeoutMs: 1_000,
      volumeThreshold: 4,
      errorThresholdPercentage: 50,
      resetTimeoutMs: 100,
      log: silentLogger(),
      onStateChange: (state) => states.push(state),
      ...options,
    },
  );
  breakers.push(breaker);
  return {
    breaker,
    states,
    calls: () => calls,
    set: (next: Outcome) => (outcome = next),
  };
}

const breakers: Breaker<[string], string>[] = [];
afterEach(() => {
  for (const breaker of breakers.splice(0)) breaker.shutdown();
});

/** What `promise` rejected with. */
async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('it resolved');
}

describe('Breaker', () => {
  it('passes values and errors of the action through while closed', async () => {
    const { breaker, set } = breakerWith();
    expect(await breaker.fire('a')).toBe('ok a');
    const error = new Error('boom');
    set({ error });
    expect(await rejection(breaker.fire('b'))).toBe(error);
    expect(breaker.state).toBe('closed');
  });

  it('stays closed below the volume threshold, however many of the calls failed', async () => {
    const { breaker, set, states } = breakerWith({ volumeThreshold: 4 });
    set({ error: new Error('boom') });
    for (let i = 0; i < 3; i++) await rejection(breaker.fire(`${i}`));
    expect(breaker.state).toBe('closed');
    expect(states).toEqual([]);
  });

  it('opens once the failure percentage over the volume threshold is passed, then fails fast with UnavailableError', async () => {
    const { breaker, set, states, calls } = breakerWith({ volumeThreshold: 4, errorThresholdPercentage: 50 });
    // 2 of 4 failed: 50 % is not above the threshold.
    await breaker.fire('1');
    await breaker.fire('2');
    set({ error: new Error('boom') });
    await rejection(breaker.fire('3'));
    await rejection(breaker.fire('4'));
    expect(breaker.state).toBe('closed');
    // 3 of 5: 60 %.
    await rejection(breaker.fire('5'));
    expect(breaker.state).toBe('open');
    expect(states).toEqual(['open']);

    const error = await rejection(breaker.fire('6'));
    expect(error).toBeInstanceOf(UnavailableError);
    expect((error as Error).message).toBe('probe.Call is unavailable (circuit open); retry later');
    expect(calls()).toBe(5);
  });

  it('half-opens after resetTimeoutMs and closes after a successful trial', async () => {
    const { breaker, set, states, calls } = breakerWith({ volumeThreshold: 2, resetTimeoutMs: 100 });
    set({ error: new UnavailableError('down') });
    await rejection(breaker.fire('1'));
    await rejection(breaker.fire('2'));
    const openedAt = Date.now();
    expect(breaker.state).toBe('open');

    await waitFor('half-open', () => breaker.state === 'half-open', 1_000, 5);
    expect(Date.now() - openedAt).toBeGreaterThanOrEqual(90);
    expect(states).toEqual(['open', 'half-open']);

    set({ value: 'back' });
    expect(await breaker.fire('3')).toBe('back 3');
    expect(breaker.state).toBe('closed');
    expect(states).toEqual(['open', 'half-open', 'closed']);
    expect(calls()).toBe(3);
  });

  it('opens again when the half-open trial fails', async () => {
    const { breaker, set, states } = breakerWith({ volumeThreshold: 2, resetTimeoutMs: 50 });
    set({ error: new Error('boom') });
    await rejection(breaker.fire('1'));
    await rejection(breaker.fire('2'));
    await waitFor('half-open', () => breaker.state === 'half-open', 1_000, 5);
    await rejection(breaker.fire('trial'));
    expect(breaker.state).toBe('open');
    expect(states).toEqual(['open', 'half-open', 'open']);
  });

  it.each([
    ['rejected (InvalidInputError)', new InvalidInputError('bad frame')],
    ['rejected (NotFoundError)', new NotFoundError('no interview')],
    ['rejected (a grpc-js INVALID_ARGUMENT error)', Object.assign(new Error('3 INVALID_ARGUMENT: bad'), { code: status.INVALID_ARGUMENT, details: 'bad' })],
    ['cancelled (CancelledError)', new CancelledError('caller gave up')],
    [
      'cancelled (a grpc-js CANCELLED error)',
      Object.assign(new Error('1 CANCELLED: Cancelled on client'), { code: status.CANCELLED, details: 'Cancelled on client' }),
    ],
  ])('does not count errors classified %s, and passes them through unchanged', async (_name, error) => {
    const { breaker, set, states, calls } = breakerWith({ volumeThreshold: 2 });
    set({ error });
    for (let i = 0; i < 6; i++) expect(await rejection(breaker.fire(`${i}`))).toBe(error);
    expect(calls()).toBe(6);
    expect(breaker.state).toBe('closed');
    expect(states).toEqual([]);
  });

  it('closes when the half-open trial is rejected: the downstream answered', async () => {
    const { breaker, set, states } = breakerWith({ volumeThreshold: 2, resetTimeoutMs: 50 });
    set({ error: new UnavailableError('down') });
    await rejection(breaker.fire('1'));
    await rejection(breaker.fire('2'));
    await waitFor('half-open', () => breaker.state === 'half-open', 1_000, 5);
    set({ error: new InvalidInputError('bad frame') });
    await rejection(breaker.fire('trial'));
    expect(states).toEqual(['open', 'half-open', 'closed']);
  });

  // Opossum treats a filtered error as a success, and a success closes a half-open circuit: a
  // trial the caller cancelled must not, since nothing is known about the downstream.
  it('does not close on a half-open trial the caller cancelled: nothing is known about the downstream', async () => {
    const { breaker, set, states } = breakerWith({ volumeThreshold: 2, resetTimeoutMs: 50 });
    set({ error: new UnavailableError('down') });
    await rejection(breaker.fire('1'));
    await rejection(breaker.fire('2'));
    await waitFor('half-open', () => breaker.state === 'half-open', 1_000, 5);
    set({ error: new CancelledError('caller gave up') });
    await rejection(breaker.fire('trial'));
    expect(states).not.toContain('closed');
    expect(breaker.state).not.toBe('closed');
  });

  it('counts transient errors (UnavailableError)', async () => {
    const { breaker, set } = breakerWith({ volumeThreshold: 2 });
    set({ error: new UnavailableError('overloaded') });
    await rejection(breaker.fire('1'));
    await rejection(breaker.fire('2'));
    expect(breaker.state).toBe('open');
  });

  it('gives TimeoutError naming the breaker when the action outlives timeoutMs, and counts it', async () => {
    const { breaker, set } = breakerWith({ timeoutMs: 50, volumeThreshold: 2 });
    set({ delayMs: 200 });
    const started = Date.now();
    const error = await rejection(breaker.fire('slow'));
    expect(error).toBeInstanceOf(TimeoutError);
    expect((error as Error).message).toBe('probe.Call did not answer within 50 ms');
    expect(Date.now() - started).toBeLessThan(190);
    await rejection(breaker.fire('slow again'));
    expect(breaker.state).toBe('open');
  });
});
