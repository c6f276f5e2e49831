import { randomUUID } from 'node:crypto';
import { brokerUser, EventOwners, ForgedEventError } from '../../../src/platform/bus/broker-identity';
import { DEAD_LETTER_HEADERS, Delivery, EventProperties } from '../../../src/platform/bus/event-bus';
import { MemoryBus } from '../../../src/platform/bus/memory-bus';
import { PermissionDeniedError } from '../../../src/platform/errors/domain-errors';
import { silentLogger } from '../../../src/platform/log/logger';
import { waitFor } from '../../support/wait';

const PUBLISHERS = [
  { name: 'orders', publishes: ['orders.placed', 'orders.cancelled'] },
  { name: 'billing', publishes: ['billing.charged'] },
  { name: 'mailer', publishes: [] },
];
const OWNERS = EventOwners.of(PUBLISHERS, 'mesh-');

function properties(): EventProperties {
  return { messageId: randomUUID(), correlationId: 'c', type: 'probe.v1.Event', schemaVersion: 'v1', timestamp: Date.now() };
}

describe('EventOwners', () => {
  it("names each routing key's owner by its service's broker user", () => {
    expect(brokerUser('orders', 'mesh-')).toBe('mesh-orders');
    expect(OWNERS.ownerOf('orders.placed')).toBe('mesh-orders');
    expect(OWNERS.ownerOf('billing.charged')).toBe('mesh-billing');
    expect(OWNERS.ownerOf('nobody.publishes')).toBeUndefined();
    expect(OWNERS.keysOf('mesh-orders')).toEqual(['orders.placed', 'orders.cancelled']);
    expect(OWNERS.keysOf('mesh-mailer')).toEqual([]);
  });

  it("accepts an event from its owner only: another service's user, no user-id and an unowned key are forgeries", () => {
    expect(() => {
      OWNERS.verify('orders.placed', 'mesh-orders');
    }).not.toThrow();
    expect(() => {
      OWNERS.verify('orders.placed', 'mesh-billing');
    }).toThrow(ForgedEventError);
    expect(() => {
      OWNERS.verify('orders.placed', 'mesh-billing');
    }).toThrow(/orders\.placed must come from mesh-orders.*came from mesh-billing/);
    expect(() => {
      OWNERS.verify('orders.placed', '');
    }).toThrow(/set no user-id/);
    expect(() => {
      OWNERS.verify('nobody.publishes', 'mesh-orders');
    }).toThrow(/no service of the mesh publishes nobody\.publishes/);
  });

  it('refuses two services publishing the same routing key', () => {
    expect(() => EventOwners.of([...PUBLISHERS, { name: 'rogue', publishes: ['billing.charged'] }], 'mesh-')).toThrow(
      /billing\.charged is published by both billing and rogue/,
    );
  });
});

describe('MemoryBus seen as a broker user (MemoryBus.as)', () => {
  const topology = { 'mailer.receipts': ['billing.charged', 'orders.*'] };

  it('lets a user publish only its own routing keys (PermissionDeniedError, as topic permissions refuse the others)', async () => {
    const bus = new MemoryBus(silentLogger(), topology);
    const billing = bus.as('mesh-billing', OWNERS);
    await expect(billing.publish('orders.placed', Buffer.from('{}'), properties())).rejects.toThrow(PermissionDeniedError);
    await expect(billing.publish('billing.charged', Buffer.from('{}'), properties())).resolves.toBeUndefined();
  });

  it("delivers the owner's events with their publisher and parks the others in the dead letters, unhandled, with the reason", async () => {
    const bus = new MemoryBus(silentLogger(), topology, { delaysMs: [5] });
    const handled: Delivery[] = [];
    await bus.as('mesh-mailer', OWNERS).consume(
      'mailer.receipts',
      (delivery) => {
        handled.push(delivery);
        return Promise.resolve();
      },
      { prefetch: 4 },
    );
    await bus.as('mesh-billing', OWNERS).publish('billing.charged', Buffer.from('"genuine"'), properties());
    // An administrator's publish names no publisher; the key is real, its owner is not the sender.
    await bus.publish('orders.placed', Buffer.from('"no user-id"'), properties());
    await waitFor('both to be settled', () => handled.length === 1 && bus.deadLetters('mailer.receipts').length === 1);

    expect(handled[0]).toMatchObject({ routingKey: 'billing.charged', publisher: 'mesh-billing', body: Buffer.from('"genuine"') });
    const [parked] = bus.deadLetters('mailer.receipts');
    expect(parked.delivery.body.toString()).toBe('"no user-id"');
    // Parked at its first attempt: a forgery is not retried.
    expect(parked.headers[DEAD_LETTER_HEADERS.attempts]).toBe(1);
    expect(parked.headers[DEAD_LETTER_HEADERS.reason]).toMatch(/orders\.placed must come from mesh-orders/);
  });
});
