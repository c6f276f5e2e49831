import { randomUUID } from 'node:crypto';
import { status } from '@grpc/grpc-js';
import {
  DEAD_LETTER_HEADERS,
  Delivery,
  DeliveryHandler,
  EventProperties,
  onFailure,
  RetryPolicy,
  Subscription,
  UnprocessableMessageError,
} from '../../../src/platform/bus/event-bus';
import { MalformedEventError } from '../../../src/platform/bus/event-catalog';
import { MemoryBus } from '../../../src/platform/bus/memory-bus';
import { Topology } from '../../../src/platform/bus/topology';
import { CancelledError, InvalidInputError, NotFoundError, TimeoutError, UnavailableError, WrongStateError } from '../../../src/platform/errors/domain-errors';
import { silentLogger } from '../../../src/platform/log/logger';
import { sleep, waitFor } from '../../support/wait';

const TOPOLOGY: Topology = {
  'audit.all': ['probe.#'],
  'created.only': ['probe.*.created'],
  'exact.one': ['probe.user.deleted'],
  'work.queue': ['work.item'],
};
const RETRY: RetryPolicy = { delaysMs: [5, 10] };

function properties(overrides: Partial<EventProperties> = {}): EventProperties {
  return { messageId: randomUUID(), correlationId: 'c', type: 'probe.v1.Event', schemaVersion: 'v1', timestamp: Date.now(), ...overrides };
}

/** Publishes `n` messages with bodies `0`..`n-1` to `routingKey`. */
async function publishMany(bus: MemoryBus, routingKey: string, n: number): Promise<void> {
  for (let i = 0; i < n; i++) await bus.publish(routingKey, Buffer.from(String(i)), properties());
}

/** A promise with its resolve function, for handlers the test lets finish. */
function gate(): { promise: Promise<void>; open: () => void } {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => (open = resolve));
  return { promise, open };
}

describe('MemoryBus', () => {
  let bus: MemoryBus;
  const subscriptions: Subscription[] = [];
  const consume = async (queue: string, handler: DeliveryHandler, prefetch = 10) => {
    const subscription = await bus.consume(queue, handler, { prefetch });
    subscriptions.push(subscription);
    return subscription;
  };

  beforeEach(async () => {
    bus = new MemoryBus(silentLogger(), TOPOLOGY, RETRY);
    await bus.declareTopology();
  });
  afterEach(async () => {
    await Promise.all(subscriptions.splice(0).map((s) => s.cancel()));
    await bus.close();
  });

  it('routes each message to every queue whose pattern matches its routing key', async () => {
    const received: Record<string, string[]> = { 'audit.all': [], 'created.only': [], 'exact.one': [], 'work.queue': [] };
    for (const queue of Object.keys(received)) {
      await consume(queue, (delivery) => {
        received[queue].push(delivery.routingKey);
        return Promise.resolve();
      });
    }
    await bus.publish('probe.user.created', Buffer.from('{}'), properties());
    await bus.publish('probe.user.deleted', Buffer.from('{}'), properties());
    await bus.publish('probe.order.created', Buffer.from('{}'), properties());
    await bus.publish('nobody.listens', Buffer.from('{}'), properties());
    await waitFor('deliveries', () => received['audit.all'].length === 3, 2_000, 5);
    await sleep(20);
    expect(received).toEqual({
      'audit.all': ['probe.user.created', 'probe.user.deleted', 'probe.order.created'],
      'created.only': ['probe.user.created', 'probe.order.created'],
      'exact.one': ['probe.user.deleted'],
      'work.queue': [],
    });
  });

  it('delivers the body and properties unchanged, as attempt 1, not redelivered', async () => {
    const seen: Delivery[] = [];
    await consume('exact.one', (delivery) => {
      seen.push(delivery);
      return Promise.resolve();
    });
    const props = properties({ correlationId: 'interview-7' });
    await bus.publish('probe.user.deleted', Buffer.from('{"id":7}'), props);
    await waitFor('a delivery', () => seen.length === 1, 2_000, 5);
    expect(seen[0]).toEqual({
      routingKey: 'probe.user.deleted',
      body: Buffer.from('{"id":7}'),
      properties: props,
      redelivered: false,
      attempt: 1,
      publisher: '',
    });
  });

  it('keeps messages published before anyone consumes, and delivers them once a consumer comes', async () => {
    await publishMany(bus, 'work.item', 3);
    const bodies: string[] = [];
    await consume('work.queue', (delivery) => {
      bodies.push(delivery.body.toString());
      return Promise.resolve();
    });
    await waitFor('the backlog', () => bodies.length === 3, 2_000, 5);
    expect(bodies).toEqual(['0', '1', '2']);
  });

  it('refuses a second consumer on a queue that has one', async () => {
    await consume('work.queue', () => Promise.resolve());
    await expect(bus.consume('work.queue', () => Promise.resolve(), { prefetch: 1 })).rejects.toThrow('queue work.queue already has a consumer');
  });

  it('holds at most `prefetch` messages in flight', async () => {
    let inFlight = 0;
    let most = 0;
    const done: string[] = [];
    const gates: (() => void)[] = [];
    await consume(
      'work.queue',
      async (delivery) => {
        inFlight += 1;
        most = Math.max(most, inFlight);
        const g = gate();
        gates.push(g.open);
        await g.promise;
        inFlight -= 1;
        done.push(delivery.body.toString());
      },
      2,
    );
    await publishMany(bus, 'work.item', 6);
    await waitFor('two in flight', () => inFlight >= 2, 2_000, 5);
    await sleep(30);
    expect(inFlight).toBe(2);
    expect(gates).toHaveLength(2);

    // Each finished message lets exactly one more in.
    gates[0]();
    await waitFor('a third', () => gates.length === 3, 2_000, 5);
    expect(inFlight).toBe(2);
    for (let round = 0; done.length < 6 && round < 100; round++) {
      for (const open of gates) open();
      await sleep(5);
    }
    expect(most).toBe(2);
    expect(done.sort()).toEqual(['0', '1', '2', '3', '4', '5']);
  });

  it('retries a failing handler with attempts 2 and 3, then dead-letters it with the reason, attempts and queue', async () => {
    const attempts: number[] = [];
    const at: number[] = [];
    await consume('work.queue', (delivery) => {
      attempts.push(delivery.attempt);
      at.push(Date.now());
      return Promise.reject(new Error(`render failed on attempt ${delivery.attempt}`));
    });
    const props = properties();
    await bus.publish('work.item', Buffer.from('poison'), props);
    await waitFor('the dead letter', () => bus.deadLetters('work.queue').length === 1, 2_000, 5);
    expect(attempts).toEqual([1, 2, 3]);
    // The policy's delays, 5 then 10 ms (a timer may fire a millisecond early).
    expect(at[1] - at[0]).toBeGreaterThanOrEqual(4);
    expect(at[2] - at[1]).toBeGreaterThanOrEqual(9);
    const [letter] = bus.deadLetters('work.queue');
    expect(letter.headers).toEqual({
      [DEAD_LETTER_HEADERS.reason]: 'render failed on attempt 3',
      [DEAD_LETTER_HEADERS.attempts]: 3,
      [DEAD_LETTER_HEADERS.queue]: 'work.queue',
    });
    expect(letter.delivery.properties).toEqual(props);
    expect(letter.delivery.body.toString()).toBe('poison');
    await sleep(30);
    expect(attempts).toEqual([1, 2, 3]);
  });

  it('goes on to the next message while a failed one waits for its retry', async () => {
    const order: string[] = [];
    await consume(
      'work.queue',
      (delivery) => {
        order.push(`${delivery.body.toString()}#${delivery.attempt}`);
        return delivery.body.toString() === '0' && delivery.attempt === 1 ? Promise.reject(new Error('once')) : Promise.resolve();
      },
      1,
    );
    await publishMany(bus, 'work.item', 2);
    await waitFor('the retry', () => order.length === 3, 2_000, 5);
    expect(order).toEqual(['0#1', '1#1', '0#2']);
    expect(bus.deadLetters('work.queue')).toEqual([]);
  });

  it.each<[string, Error]>([
    ['UnprocessableMessageError', new UnprocessableMessageError('not the event this queue carries')],
    ['MalformedEventError', new MalformedEventError('not JSON')],
    ['InvalidInputError', new InvalidInputError('score out of range')],
    ['NotFoundError', new NotFoundError('no interview i-1')],
  ])('dead-letters at once (attempt 1) a message rejected with %s', async (_name, error) => {
    const attempts: number[] = [];
    await consume('work.queue', (delivery) => {
      attempts.push(delivery.attempt);
      return Promise.reject(error);
    });
    await bus.publish('work.item', Buffer.from('bad'), properties());
    await waitFor('the dead letter', () => bus.deadLetters('work.queue').length === 1, 2_000, 5);
    await sleep(30);
    expect(attempts).toEqual([1]);
    expect(bus.deadLetters('work.queue')[0].headers).toEqual({
      [DEAD_LETTER_HEADERS.reason]: error.message,
      [DEAD_LETTER_HEADERS.attempts]: 1,
      [DEAD_LETTER_HEADERS.queue]: 'work.queue',
    });
  });

  it('retries a transient failure after the longest delay without spending an attempt, for longer than the attempts would last', async () => {
    await bus.close();
    bus = new MemoryBus(silentLogger(), TOPOLOGY, { delaysMs: [5, 60] });
    const transient = [
      new UnavailableError('the database is restarting'),
      Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' }),
      Object.assign(new Error('14 UNAVAILABLE: No connection established'), { code: status.UNAVAILABLE, details: 'No connection established' }),
      new TimeoutError('scoring did not answer in time'),
    ];
    const seen: { attempt: number; at: number }[] = [];
    let done = false;
    await consume('work.queue', (delivery) => {
      seen.push({ attempt: delivery.attempt, at: Date.now() });
      const failure = transient[seen.length - 1] as Error | undefined;
      if (failure) return Promise.reject(failure);
      done = true;
      return Promise.resolve();
    });
    await bus.publish('work.item', Buffer.from('x'), properties());
    await waitFor('success', () => done, 3_000, 5);
    // Four failures: more than the two retries the policy allows a failing message.
    expect(seen.map((s) => s.attempt)).toEqual([1, 1, 1, 1, 1]);
    for (let i = 1; i < seen.length; i++) expect(seen[i].at - seen[i - 1].at).toBeGreaterThanOrEqual(50);
    await sleep(20);
    expect(bus.deadLetters('work.queue')).toEqual([]);
  });

  it('waits, at cancel, for the handlers in flight, and delivers nothing more', async () => {
    const g = gate();
    const handled: string[] = [];
    let started = 0;
    const subscription = await consume(
      'work.queue',
      async (delivery) => {
        started += 1;
        await g.promise;
        handled.push(delivery.body.toString());
      },
      2,
    );
    await publishMany(bus, 'work.item', 2);
    await waitFor('two in flight', () => started === 2, 2_000, 5);

    let cancelled = false;
    const cancelling = subscription.cancel().then(() => (cancelled = true));
    await sleep(30);
    expect(cancelled).toBe(false);
    await publishMany(bus, 'work.item', 2);

    g.open();
    await cancelling;
    expect(handled.sort()).toEqual(['0', '1']);
    await sleep(30);
    expect(started).toBe(2);

    // What came after the cancel waits in the queue for the next consumer.
    const later: string[] = [];
    await consume('work.queue', (delivery) => {
      later.push(delivery.body.toString());
      return Promise.resolve();
    });
    await waitFor('the rest', () => later.length === 2, 2_000, 5);
    expect(later).toEqual(['0', '1']);
  });

  it('resolves cancel at once when nothing is in flight', async () => {
    const subscription = await consume('work.queue', () => Promise.resolve());
    const started = Date.now();
    await subscription.cancel();
    expect(Date.now() - started).toBeLessThan(50);
  });

  it('rejects a publish after close with UnavailableError, and says it is not ready', async () => {
    expect(bus.isReady()).toBe(true);
    await bus.close();
    expect(bus.isReady()).toBe(false);
    await expect(bus.publish('work.item', Buffer.from('x'), properties())).rejects.toThrow(UnavailableError);
    await expect(bus.publish('work.item', Buffer.from('x'), properties())).rejects.toThrow('the bus is closed');
  });

  it('does not deliver a retry scheduled before close', async () => {
    const attempts: number[] = [];
    await bus.close();
    bus = new MemoryBus(silentLogger(), TOPOLOGY, { delaysMs: [40] });
    await consume('work.queue', (delivery) => {
      attempts.push(delivery.attempt);
      return Promise.reject(new Error('boom'));
    });
    await bus.publish('work.item', Buffer.from('x'), properties());
    await waitFor('the first attempt', () => attempts.length === 1, 2_000, 5);
    await bus.close();
    await sleep(80);
    expect(attempts).toEqual([1]);
  });
});

describe('onFailure', () => {
  const policy: RetryPolicy = { delaysMs: [5, 10] };
  const pgDown = Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' });

  it('dead-letters a rejected message at once, whatever the attempt', () => {
    for (const error of [new UnprocessableMessageError('x'), new InvalidInputError('x'), new NotFoundError('x'), new WrongStateError('x')]) {
      expect(onFailure(policy, 1, error)).toEqual({ kind: 'dead-letter' });
    }
    expect(onFailure(policy, 1, Object.assign(new Error('3 INVALID_ARGUMENT: x'), { code: status.INVALID_ARGUMENT, details: 'x' }))).toEqual({
      kind: 'dead-letter',
    });
  });

  it('retries a transient failure after the longest delay, keeping the attempt number', () => {
    for (const error of [new UnavailableError('x'), new TimeoutError('x'), pgDown]) {
      expect(onFailure(policy, 1, error)).toEqual({ kind: 'retry', delayMs: 10, nextAttempt: 1 });
      expect(onFailure(policy, 3, error)).toEqual({ kind: 'retry', delayMs: 10, nextAttempt: 3 });
    }
  });

  it('retries any other failure after the next delay, then dead-letters it once the delays are spent', () => {
    for (const error of [new Error('bug'), new CancelledError('x'), 'not even an Error']) {
      expect(onFailure(policy, 1, error)).toEqual({ kind: 'retry', delayMs: 5, nextAttempt: 2 });
      expect(onFailure(policy, 2, error)).toEqual({ kind: 'retry', delayMs: 10, nextAttempt: 3 });
      expect(onFailure(policy, 3, error)).toEqual({ kind: 'dead-letter' });
    }
  });

  it('dead-letters everything under a policy without delays', () => {
    const none: RetryPolicy = { delaysMs: [] };
    for (const error of [new Error('bug'), new UnavailableError('x'), new InvalidInputError('x')])
      expect(onFailure(none, 1, error)).toEqual({ kind: 'dead-letter' });
  });
});
